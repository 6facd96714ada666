"""Image references and which registry endpoint `pin` speaks to."""

from __future__ import annotations

import pytest

from pipelinegen.adapters import oci
from pipelinegen.core import imageref

DIGEST = "sha256:" + "0123456789abcdef" * 4


@pytest.mark.parametrize(("ref", "host", "repository", "tag", "digest"), [
    ("python:3.12", "docker.io", "library/python", "3.12", None),
    ("python", "docker.io", "library/python", None, None),
    (f"bitnami/redis:7@{DIGEST}", "docker.io", "bitnami/redis", "7", DIGEST),
    (f"gcr.io/distroless/static-debian12:nonroot@{DIGEST}", "gcr.io",
     "distroless/static-debian12", "nonroot", DIGEST),
    ("127.0.0.1:5000/team/base:1.0", "127.0.0.1:5000", "team/base", "1.0", None),
    ("localhost/base", "localhost", "base", None, None),
])
def test_parse(ref: str, host: str, repository: str, tag: str | None,
               digest: str | None) -> None:
    parsed = imageref.parse(ref)
    assert (parsed.host, parsed.repository, parsed.tag, parsed.digest) == (
        host, repository, tag, digest)
    assert imageref.pinned(ref) == (digest is not None)


def test_with_digest_replaces_an_old_one() -> None:
    old = imageref.parse(f"ghcr.io/acme/base:2@sha256:{'f' * 64}")
    assert old.with_digest(DIGEST) == f"ghcr.io/acme/base:2@{DIGEST}"


@pytest.mark.parametrize(("host", "insecure", "url"), [
    ("docker.io", (), "https://registry-1.docker.io"),
    ("ghcr.io", (), "https://ghcr.io"),
    ("127.0.0.1:5000", (), "http://127.0.0.1:5000"),
    ("localhost:5000", (), "http://localhost:5000"),
    ("[::1]:5000", (), "http://[::1]:5000"),
    ("registry.lan:5000", (), "https://registry.lan:5000"),
    ("registry.lan:5000", ("registry.lan:5000",), "http://registry.lan:5000"),
    ("registry.lan", ("registry.lan",), "http://registry.lan"),
])
def test_endpoint(host: str, insecure: tuple[str, ...], url: str) -> None:
    assert oci.endpoint(host, insecure) == url
