"""A real Prometheus on 127.0.0.1 scrapes the real api container with the generated rules.

Test-only settings, to keep it to seconds: Prometheus scrapes and evaluates every second (a
cluster would use 30s or so). The rules are the generated file as is: windows and `for:` are
unchanged, so the page alert goes pending (its `for: 2m` is not waited out).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import demo

pytestmark = pytest.mark.docker

RATIO = 'slo:sli_error:ratio_rate5m{service="api",slo="%s"}'


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _wait(what: str, ready: object, timeout: float = 60) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = ready() if callable(ready) else None
        except (OSError, ValueError):
            found = None
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


TAG = "prometheus-live"  # its own tag: other test runs on this engine build api:test


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory, base_refs: dict[str, str],
         registry: str) -> Path:
    """The demo repository, generated, with the api image built by `pipelinegen build`."""
    root = demo.make_repo(tmp_path_factory.mktemp("live") / "repo", base_refs, registry)
    demo.run_pipelinegen(root, "build", "api", "--tag", TAG, check=True)
    return root


@pytest.fixture
def api(repo: Path, registry: str) -> Iterator[str]:
    """The api container, published on a loopback port; yields its base URL."""
    name = "pipelinegen-test-prometheus-api"
    demo.docker("rm", "-f", name, check=False)
    demo.docker("run", "-d", "--name", name, "-p", "127.0.0.1::8080", f"{registry}/api:{TAG}")
    try:
        mapped = demo.docker("port", name, "8080").split()[0].rsplit(":", 1)[1]
        base = f"http://127.0.0.1:{mapped}"
        _wait("the api to answer", lambda: _get(base + "/healthz")[0] == 200)
        yield base
    finally:
        demo.docker("rm", "-f", name, check=False)


@pytest.fixture
def prometheus(repo: Path, api: str, tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("prometheus")
    assert binary, "prometheus is not installed: run scripts/bootstrap"
    rules = repo / "generated/observability/api/rules.yaml"
    target = api.removeprefix("http://")
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        f"rule_files: [{json.dumps(str(rules))}]\n"
        "scrape_configs:\n"
        f"  - job_name: api\n    static_configs: [{{targets: [{json.dumps(target)}]}}]\n")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "prometheus.log").open("wb")
    server = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait("Prometheus to be ready", lambda: _get(url + "/-/ready")[0] == 200)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _query(url: str, promql: str) -> list[dict[str, object]]:
    status, body = _get(f"{url}/api/v1/query?" + urllib.parse.urlencode({"query": promql}))
    assert status == 200, body
    result = json.loads(body)["data"]["result"]
    assert isinstance(result, list)
    return result


def _alerts(url: str) -> dict[str, str]:
    status, body = _get(url + "/api/v1/alerts")
    assert status == 200, body
    return {a["labels"]["alertname"]: a["state"] for a in json.loads(body)["data"]["alerts"]}


def _drive(base: str, path: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _get(base + path)
        time.sleep(0.02)


def test_recording_rules_record_and_the_page_alert_goes_pending_on_errors(
        api: str, prometheus: str) -> None:
    loaded = json.loads(_get(prometheus + "/api/v1/rules")[1])["data"]["groups"]
    assert sorted(group["name"] for group in loaded) == ["api-slo-alerts", "api-slo-recording"]

    # Good traffic: both SLIs are recorded, at no error, and nothing alerts.
    _drive(api, "/quote?pages=3", 6)
    for slo in ("availability", "latency"):
        series = _wait(f"the {slo} SLI", lambda s=slo: _query(prometheus, RATIO % s))
        assert isinstance(series, list)
        assert float(series[0]["value"][1]) == 0.0, series  # type: ignore[index]
    assert _alerts(prometheus) == {}

    # The order store is not mounted: every order lookup is a 500.
    _drive(api, "/orders/42", 6)
    errors = _wait("the error ratio to rise", lambda: [
        s for s in _query(prometheus, RATIO % "availability")
        if float(s["value"][1]) > 14.4 * 0.001])  # type: ignore[index]
    assert errors
    states = _wait("the page alert", lambda: {
        name: state for name, state in _alerts(prometheus).items()
        if name == "ApiAvailabilityBurn1h"})
    assert states == {"ApiAvailabilityBurn1h": "pending"}
    # The latency SLO is not burnt by fast errors, so its alerts stay silent.
    assert not [name for name in _alerts(prometheus) if name.startswith("ApiLatency")]
