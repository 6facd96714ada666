"""Tag -> digest through the registry HTTP API v2 (the distribution spec).

The manifest is asked for with the manifest-list and OCI-index media types first, so a
multi-arch image resolves to its index digest, the one that stays valid on every platform.
Loopback registries (localhost, 127.0.0.1, ::1) are spoken to over plain HTTP, every other host
over HTTPS unless listed as insecure. Anonymous bearer tokens (Docker Hub, GHCR) are fetched when
the registry asks for one.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Collection

from pipelinegen.errors import PipelinegenError, ToolUnavailable
from pipelinegen.imageref import ImageRef

ACCEPT = ", ".join((
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
))
LOOPBACK = ("localhost", "127.0.0.1", "[::1]")
TIMEOUT = 30


def endpoint(host: str, insecure: Collection[str] = ()) -> str:
    """The base URL of a registry host."""
    if host == "docker.io":
        return "https://registry-1.docker.io"
    bare = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    plain = bare in LOOPBACK or host in insecure or bare in insecure
    return f"{'http' if plain else 'https'}://{host}"


def resolve(ref: ImageRef, insecure: Collection[str] = ()) -> str:
    """The digest the registry serves for ref's tag (`latest` when none is written)."""
    base = endpoint(ref.host, insecure)
    url = f"{base}/v2/{ref.repository}/manifests/{ref.tag or 'latest'}"
    shown = f"{ref.name}:{ref.tag or 'latest'}"
    try:
        digest, body = _manifest(url, "HEAD")
        if digest is None:  # the header is optional: hash what the registry serves instead
            digest, body = _manifest(url, "GET")
            digest = digest or f"sha256:{hashlib.sha256(body).hexdigest()}"
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise PipelinegenError(f"{shown} was not found in the registry {ref.host}",
                                   "check the image name and tag") from None
        raise ToolUnavailable(f"the registry {ref.host} answered {exc.code} {exc.reason} for"
                              f" {shown}", "check the name, and that you may read it") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ToolUnavailable(
            f"cannot reach the registry {ref.host} ({base}): {reason}",
            "check the network and that the registry runs; for a plain-HTTP registry pass"
            " --insecure-registry HOST",
        ) from None
    return digest


def _manifest(url: str, method: str) -> tuple[str | None, bytes]:
    headers = {"Accept": ACCEPT}
    try:
        return _fetch(url, method, headers)
    except urllib.error.HTTPError as exc:
        challenge = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
        if not challenge.lower().startswith("bearer "):
            raise
        headers["Authorization"] = f"Bearer {_token(challenge)}"
        return _fetch(url, method, headers)


def _fetch(url: str, method: str, headers: dict[str, str]) -> tuple[str | None, bytes]:
    request = urllib.request.Request(url, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        body = b"" if method == "HEAD" else response.read()
        return response.headers.get("Docker-Content-Digest"), body


def _token(challenge: str) -> str:
    """An anonymous pull token from the realm a Bearer challenge names."""
    params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
    realm = params.pop("realm", "")
    if not realm.startswith("https://"):
        raise ToolUnavailable(f"the registry asks for a token from {realm!r}",
                              "log in to the registry, or use a public image")
    url = f"{realm}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
        data = json.load(response)
    token = data.get("token") or data.get("access_token")
    if not isinstance(token, str):
        raise ToolUnavailable("the registry's token service returned no token")
    return token
