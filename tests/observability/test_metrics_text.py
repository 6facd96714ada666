"""Every demo service's /metrics, read by a real parser: `promtool check metrics` (the text
exposition format and its lint), and the series names the default SLI queries read.

The services run from their sources, as their images run them: the Python ones with their
shared package on PYTHONPATH, web with node, renderer and the static file server built by go.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelinegen.model import Metrics
from tests.support.observability import REPO, run, tool

SERVICES = REPO / "services"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _command(service: str, port: int, build: Path) -> tuple[list[str], Path, dict[str, str]]:
    """argv, directory and environment that serve the demo service on 127.0.0.1:port."""
    env = {"PORT": str(port)}
    if service in {"api", "worker"}:
        env["PYTHONPATH"] = f"{REPO / 'packages/printcore'}{os.pathsep}{SERVICES / service}"
        return [sys.executable, "-m", service], SERVICES / service, env
    if service == "web":
        return [tool("node"), "server.js"], SERVICES / "web", env
    if service == "renderer":
        binary = build / "renderer"
        built = run(tool("go"), "build", "-o", str(binary), ".", cwd=SERVICES / "renderer")
        assert built.returncode == 0, built.stderr
        return [str(binary)], SERVICES / "renderer", env
    binary = build / "pipelinegen-httpd"
    built = run(tool("go"), "build", "-o", str(binary),
                str(REPO / "pipelinegen/data/pipelinegen-httpd.go"))
    assert built.returncode == 0, built.stderr
    return ([str(binary), "-root", str(SERVICES / "docs/public"), "-listen",
             f"127.0.0.1:{port}", "-health", "/healthz", "-metrics", "/metrics"],
            SERVICES / "docs", env)


HEALTH = {"api": "/healthz", "worker": "/healthz", "web": "/health", "renderer": "/healthz",
          "docs": "/healthz"}


@pytest.fixture(params=sorted(HEALTH))
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A demo service running from its sources; yields its name and base URL."""
    name = str(request.param)
    port = _free_port()
    argv, cwd, env = _command(name, port, tmp_path)
    server = subprocess.Popen(argv, cwd=cwd, env={**os.environ, **env},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(base + HEALTH[name])[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, f"{name} exited {server.returncode}"
            assert time.monotonic() < deadline, f"{name} did not answer"
            time.sleep(0.2)
        yield name, base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _names(text: str) -> set[str]:
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines()
            if line and not line.startswith("#")}


def test_metrics_parse_and_carry_the_default_sli_series(service: tuple[str, str]) -> None:
    name, base = service
    for path in (HEALTH[name], "/no-such-page", HEALTH[name]):
        _get(base + path)
    status, text = _get(base + "/metrics")
    assert status == 200
    checked = subprocess.run([tool("promtool"), "check", "metrics"], input=text,
                             capture_output=True, text=True, check=False, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr + text
    assert Metrics().exposed() <= _names(text), text
    # The requests driven above are counted, by status code and method.
    assert 'http_requests_total{code="404",method="GET"} 1\n' in text, text
    assert '_bucket{le="0.3"}' in text and '_bucket{le="+Inf"}' in text


def test_promtool_check_metrics_rejects_a_malformed_exposition() -> None:
    """The parser above is strict: an unquoted label value or a missing _total fails."""
    for text in ('# HELP x_total X.\n# TYPE x_total counter\nx_total{code=200} 1\n',
                 "# HELP x X.\n# TYPE x counter\nx 1\n"):
        checked = subprocess.run([tool("promtool"), "check", "metrics"], input=text,
                                 capture_output=True, text=True, check=False, timeout=60)
        assert checked.returncode != 0, text
