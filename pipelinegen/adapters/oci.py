"""Tag -> digest through the registry HTTP API v2 (the distribution spec).

The manifest is asked for with the manifest-list and OCI-index media types first, so a
multi-arch image resolves to its index digest, the one that stays valid on every platform.
Loopback registries (localhost, 127.0.0.1, ::1) are spoken to over plain HTTP, every other host
over HTTPS unless listed as insecure. Anonymous bearer tokens (Docker Hub, GHCR) are fetched when
the registry asks for one. HTTP goes through httpx, as the GitHub client's does.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection

import httpx

from pipelinegen.core.errors import PipelinegenError, ToolUnavailable
from pipelinegen.core.imageref import ImageRef

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
        with httpx.Client(timeout=TIMEOUT, follow_redirects=True) as client:
            response = _manifest(client, url, "HEAD")
            digest = response.headers.get("Docker-Content-Digest")
            if digest is None:  # the header is optional: hash what the registry serves instead
                response = _manifest(client, url, "GET")
                digest = (response.headers.get("Docker-Content-Digest")
                          or f"sha256:{hashlib.sha256(response.content).hexdigest()}")
    except httpx.HTTPStatusError as exc:
        status = exc.response.status_code
        if status == 404:
            raise PipelinegenError(f"{shown} was not found in the registry {ref.host}",
                                   "check the image name and tag") from None
        raise ToolUnavailable(f"the registry {ref.host} answered {status}"
                              f" {exc.response.reason_phrase} for {shown}",
                              "check the name, and that you may read it") from None
    except httpx.HTTPError as exc:
        raise ToolUnavailable(
            f"cannot reach the registry {ref.host} ({base}): {exc}",
            "check the network and that the registry runs; for a plain-HTTP registry pass"
            " --insecure-registry HOST",
        ) from None
    return str(digest)


def _manifest(client: httpx.Client, url: str, method: str) -> httpx.Response:
    headers = {"Accept": ACCEPT}
    response = client.request(method, url, headers=headers)
    challenge = response.headers.get("WWW-Authenticate", "") if response.status_code == 401 else ""
    if challenge.lower().startswith("bearer "):
        headers["Authorization"] = f"Bearer {_token(client, challenge)}"
        response = client.request(method, url, headers=headers)
    return response.raise_for_status()


def _token(client: httpx.Client, challenge: str) -> str:
    """An anonymous pull token from the realm a Bearer challenge names."""
    params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
    realm = params.pop("realm", "")
    # Tokens travel over HTTPS, or plain HTTP only on this machine (as registries do).
    loopback = httpx.URL(realm).host in {host.strip("[]") for host in LOOPBACK} if realm else False
    if not (realm.startswith("https://") or (realm.startswith("http://") and loopback)):
        raise ToolUnavailable(f"the registry asks for a token from {realm!r}",
                              "log in to the registry, or use a public image")
    try:
        data = client.get(realm, params=params).raise_for_status().json()
    except ValueError:
        data = {}
    token = data.get("token") or data.get("access_token") if isinstance(data, dict) else None
    if not isinstance(token, str):
        raise ToolUnavailable("the registry's token service returned no token")
    return token
