"""Pushing small images to the local registry: through the engine (`docker import` + push), or
straight through the registry HTTP API v2 (an OCI index of several platforms)."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import urllib.request

from tests.support import bases

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def tiny_tar(content: str) -> bytes:
    """A root file system of one file; different content gives a different image."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        data = content.encode()
        info = tarfile.TarInfo("content.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def push_tiny(ref: str, content: str) -> str:
    """Import and push a one-file image as ref (host/repo:tag); its registry digest."""
    bases.run(bases.docker_cli(), "import", "-", ref, stdin=tiny_tar(content))
    bases.run(bases.docker_cli(), "push", ref)
    digest = bases.registry_digest(ref)
    assert digest is not None
    return digest


def _request(method: str, url: str, body: bytes = b"", content_type: str = "") -> str:
    headers = {"Content-Type": content_type} if content_type else {}
    request = urllib.request.Request(url, data=body if method != "POST" else None,
                                     method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(response.headers.get("Location", ""))


def _blob(base: str, repo: str, data: bytes) -> dict[str, object]:
    digest = f"sha256:{hashlib.sha256(data).hexdigest()}"
    location = _request("POST", f"{base}/v2/{repo}/blobs/uploads/")
    if location.startswith("/"):
        location = base + location
    separator = "&" if "?" in location else "?"
    _request("PUT", f"{location}{separator}digest={digest}", data, "application/octet-stream")
    return {"digest": digest, "size": len(data)}


def push_index(host: str, repo: str, tag: str, platforms: list[str]) -> str:
    """An OCI image index over one tiny manifest per platform (os/arch), pushed as repo:tag
    through the HTTP API; returns the index digest (sha256 of the bytes pushed)."""
    base = f"http://{host}"
    entries = []
    for platform in platforms:
        os_name, arch = platform.split("/")
        layer = _blob(base, repo, tiny_tar(platform))
        config = _blob(base, repo, json.dumps({
            "architecture": arch, "os": os_name,
            "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]}}).encode())
        manifest = json.dumps({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", **layer}],
        }).encode()
        digest = f"sha256:{hashlib.sha256(manifest).hexdigest()}"
        _request("PUT", f"{base}/v2/{repo}/manifests/{digest}", manifest, OCI_MANIFEST)
        entries.append({"mediaType": OCI_MANIFEST, "digest": digest, "size": len(manifest),
                        "platform": {"os": os_name, "architecture": arch}})
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX,
                        "manifests": entries}).encode()
    _request("PUT", f"{base}/v2/{repo}/manifests/{tag}", index, OCI_INDEX)
    return f"sha256:{hashlib.sha256(index).hexdigest()}"
