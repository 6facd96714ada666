"""pipelinegen's grpc health probe (pipelinegen/data/pipelinegen-grpc-probe.go), built with the
machine's Go (Debian bookworm's 1.19, the oldest it must build with) and run against a real
gRPC server: grpcio with the standard grpc.health.v1 servicer of grpcio-health-checking.

It exits 0 only on SERVING: for the whole server or a named service, and not for a service
that is NOT_SERVING, unknown, nor for a server that is down or not gRPC at all.
"""

from __future__ import annotations

import http.server
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

SOURCE = Path(__file__).resolve().parents[2] / "pipelinegen/data/pipelinegen-grpc-probe.go"
Status = health_pb2.HealthCheckResponse


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> str:
    go = shutil.which("go")
    assert go, "go is missing: apt-get install golang-go"
    out = tmp_path_factory.mktemp("probe") / "pipelinegen-grpc-probe"
    subprocess.run([go, "build", "-o", str(out), str(SOURCE)], check=True,
                   env={"CGO_ENABLED": "0", "GOCACHE": str(out.parent / "cache"),
                        "HOME": str(out.parent), "PATH": "/usr/bin:/bin"})
    return str(out)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, health.HealthServicer]]:
    grpc_server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    checks = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(checks, grpc_server)
    port = grpc_server.add_insecure_port("127.0.0.1:0")
    grpc_server.start()
    checks.set("", Status.SERVING)
    checks.set("printloop.Up", Status.SERVING)
    checks.set("printloop.Down", Status.NOT_SERVING)
    yield port, checks
    grpc_server.stop(None)


def check(probe: str, port: int, service: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([probe, "-addr", f"127.0.0.1:{port}", "-service", service,
                           "-timeout", "3s"], capture_output=True, text=True, check=False)


def test_serving_server_and_service_pass(probe: str, server: tuple[int, object]) -> None:
    port, _ = server
    assert check(probe, port).returncode == 0
    assert check(probe, port, "printloop.Up").returncode == 0


def test_not_serving_and_unknown_services_fail(probe: str, server: tuple[int, object]) -> None:
    port, _ = server
    down = check(probe, port, "printloop.Down")
    assert down.returncode == 1 and "NOT_SERVING" in down.stderr
    assert check(probe, port, "printloop.Nothing").returncode == 1


def test_a_status_change_is_seen(probe: str,
                                 server: tuple[int, health.HealthServicer]) -> None:
    port, checks = server
    checks.set("printloop.Flaky", Status.SERVING)
    assert check(probe, port, "printloop.Flaky").returncode == 0
    checks.set("printloop.Flaky", Status.NOT_SERVING)
    assert check(probe, port, "printloop.Flaky").returncode == 1


def test_a_long_service_name_is_encoded_right(probe: str,
                                              server: tuple[int, health.HealthServicer]) -> None:
    # Over 127 bytes: the protobuf length takes more than one byte.
    port, checks = server
    name = "printloop." + "v" * 200
    checks.set(name, Status.SERVING)
    assert check(probe, port, name).returncode == 0


def test_no_server_or_an_http1_server_fails(probe: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    assert check(probe, closed).returncode == 1
    httpd = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        done = check(probe, httpd.server_address[1])
        assert done.returncode == 1, done.stderr
    finally:
        httpd.shutdown()
