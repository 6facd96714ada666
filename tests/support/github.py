"""A loopback GitHub: a real HTTP server on 127.0.0.1 that answers with GitHub-shaped
responses and records every request it receives, and what the tests against it share."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pipelinegen.cli import main
from pipelinegen.model import HELM_TEST_IMAGE

TOKEN = "ghp_TESTTOKENtesttokenTESTTOKEN0123456789"
REPO = "/repos/acme/demo"


def services_yaml(protection: str = "") -> str:
    """A model whose policy (the defaults) reaches Scorecard tier 5."""
    return (
        "version: 1\n"
        "project:\n"
        "  name: demo\n"
        "  repository: acme/demo\n"
        "  registry: ghcr.io/acme\n"
        "  environments: [{name: dev, namespace: demo-dev}]\n"
        f"  branch_protection: {{{protection}}}\n"
        f"bases: {{helm-test: '{HELM_TEST_IMAGE}'}}\n"
        "services:\n"
        "  api: {path: services/api, stack: dockerfile, dockerfile: services/api/Dockerfile,"
        ' port: 8080, owners: ["@acme/api"]}\n'
    )


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    method: str
    path: str  # with the query
    headers: dict[str, str]
    body: Any


class GitHubServer:
    """Routes (method, path[?query]) to queued replies; the last reply of a route repeats."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Reply]] = {}
        self.seen: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                server.seen.append(Seen(self.command, self.path, dict(self.headers),
                                        json.loads(raw) if raw else None))
                reply = server.reply(self.command, self.path)
                html = isinstance(reply.body, str)
                data = (reply.body.encode() if html else b"" if reply.body is None
                        else json.dumps(reply.body).encode())
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value.replace("{base}", server.url))
                self.send_header("Content-Type", "text/html" if html
                                 else "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def on(self, method: str, path: str, *replies: Reply) -> None:
        self.routes[(method, path)] = list(replies)

    def reply(self, method: str, path: str) -> Reply:
        queue = self.routes.get((method, path)) or self.routes.get((method, path.partition("?")[0]))
        if not queue:
            return Reply(404, {"message": "Not Found"})
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def paths(self) -> list[str]:
        return [f"{seen.method} {seen.path}" for seen in self.seen]


@contextmanager
def serving() -> Iterator[GitHubServer]:
    """A GitHubServer for the length of the block; shut down and closed afterwards."""
    server = GitHubServer()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    out, err = capsys.readouterr()
    assert TOKEN not in out + err
    return int(exited.value.code or 0), out, err
