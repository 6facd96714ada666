"""The registry client's protocol paths a local registry without auth never takes: the Bearer
token challenge of public registries (Docker Hub, GHCR) and a registry that sends no digest
header. A registry-shaped HTTP server on 127.0.0.1 plays them and records every request."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pipelinegen.adapters import oci
from pipelinegen.core import imageref
from pipelinegen.core.errors import ToolUnavailable

INDEX = json.dumps({"schemaVersion": 2, "manifests": []}).encode()
DIGEST = f"sha256:{hashlib.sha256(INDEX).hexdigest()}"
TOKEN = "anon-pull-token"


class Registry(BaseHTTPRequestHandler):
    requests: list[tuple[str, str, str]]  # method, path, Authorization
    send_digest = True
    token_body = json.dumps({"token": TOKEN}).encode()

    def _answer(self, method: str) -> None:
        self.requests.append((method, self.path, self.headers.get("Authorization", "")))
        port = self.server.server_address[1]
        if self.path.startswith("/token?"):
            self._send(200, self.token_body, {"Content-Type": "application/json"})
        elif self.headers.get("Authorization") != f"Bearer {TOKEN}":
            challenge = (f'Bearer realm="http://127.0.0.1:{port}/token",'
                         f'service="registry.test",scope="repository:acme/app:pull"')
            self._send(401, b"", {"WWW-Authenticate": challenge})
        elif self.path == "/v2/acme/app/manifests/1.0":
            extra = {"Docker-Content-Digest": DIGEST} if self.send_digest else {}
            self._send(200, INDEX if method == "GET" else b"", extra, length=len(INDEX))
        else:
            self._send(404, b"", {})

    def _send(self, status: int, body: bytes, headers: dict[str, str],
              length: int | None = None) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self._answer("HEAD")

    def do_GET(self) -> None:
        self._answer("GET")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[Registry]]]:
    handler = type("Handler", (Registry,), {"requests": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()


def test_a_bearer_challenge_fetches_an_anonymous_token(server: tuple[str, type[Registry]]) -> None:
    host, handler = server
    assert oci.resolve(imageref.parse(f"{host}/acme/app:1.0")) == DIGEST
    methods = [(method, path.split("?")[0], auth) for method, path, auth in handler.requests]
    assert methods == [
        ("HEAD", "/v2/acme/app/manifests/1.0", ""),
        ("GET", "/token", ""),
        ("HEAD", "/v2/acme/app/manifests/1.0", f"Bearer {TOKEN}"),
    ]
    token_request = handler.requests[1][1]
    assert "service=registry.test" in token_request
    assert "scope=repository%3Aacme%2Fapp%3Apull" in token_request


def test_without_a_digest_header_the_manifest_is_hashed(
    server: tuple[str, type[Registry]]
) -> None:
    host, handler = server
    handler.send_digest = False
    assert oci.resolve(imageref.parse(f"{host}/acme/app:1.0")) == DIGEST
    assert [method for method, path, _ in handler.requests if "/manifests/" in path] == [
        "HEAD", "HEAD", "GET", "GET"]  # each asks, is challenged, then asks with the token


def test_a_token_service_without_a_token_is_a_clear_error(
    server: tuple[str, type[Registry]]
) -> None:
    host, handler = server
    handler.token_body = b"<html>maintenance</html>"
    with pytest.raises(ToolUnavailable, match="returned no token"):
        oci.resolve(imageref.parse(f"{host}/acme/app:1.0"))


def test_a_token_realm_off_this_machine_must_be_https() -> None:
    challenge = 'Bearer realm="http://auth.example.com/token",service="x"'
    with pytest.raises(ToolUnavailable, match="asks for a token from"):
        oci._token(None, challenge)  # type: ignore[arg-type]  # refused before any request
