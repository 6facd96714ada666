"""A real Prometheus on 127.0.0.1 scrapes real demo containers with the generated rules: the
api (Python), the renderer (Go) and docs (the shipped static file server).

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
from contextlib import contextmanager
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
PORTS = {"api": 8080, "renderer": 8090, "docs": 8080}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory, base_refs: dict[str, str],
         registry: str) -> Path:
    """The demo repository, generated, with the images built by `pipelinegen build`."""
    root = demo.make_repo(tmp_path_factory.mktemp("live") / "repo", base_refs, registry)
    for service in PORTS:
        demo.run_pipelinegen(root, "build", service, "--tag", TAG, check=True)
    return root


@contextmanager
def _container(service: str, registry: str) -> Iterator[str]:
    """The service's container, published on a loopback port; yields its base URL."""
    name = f"pipelinegen-test-prometheus-{service}"
    demo.docker("rm", "-f", name, check=False)
    port = str(PORTS[service])
    demo.docker("run", "-d", "--name", name, "-p", f"127.0.0.1::{port}",
                f"{registry}/{service}:{TAG}")
    try:
        mapped = demo.docker("port", name, port).split()[0].rsplit(":", 1)[1]
        base = f"http://127.0.0.1:{mapped}"
        _wait(f"{service} to answer", lambda: _get(base + "/healthz")[0] == 200)
        yield base
    finally:
        demo.docker("rm", "-f", name, check=False)


@contextmanager
def _prometheus(repo: Path, targets: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """A Prometheus scraping each service's base URL as job <service>, with its rules."""
    binary = shutil.which("prometheus")
    assert binary, "prometheus is not installed: run scripts/bootstrap"
    rules = [str(repo / f"generated/observability/{service}/rules.yaml") for service in targets]
    jobs = "".join(
        f"  - job_name: {service}\n"
        f"    static_configs: [{{targets: [{json.dumps(base.removeprefix('http://'))}]}}]\n"
        for service, base in targets.items())
    config = tmp_path / "prometheus.yml"
    config.write_text("global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                      f"rule_files: {json.dumps(rules)}\nscrape_configs:\n{jobs}")
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


@pytest.fixture
def api(registry: str) -> Iterator[str]:
    with _container("api", registry) as base:
        yield base


@pytest.fixture
def prometheus(repo: Path, api: str, tmp_path: Path) -> Iterator[str]:
    with _prometheus(repo, {"api": api}, tmp_path) as url:
        yield url


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


def _groups(url: str) -> list[str]:
    loaded = json.loads(_get(url + "/api/v1/rules")[1])["data"]["groups"]
    return sorted(group["name"] for group in loaded)


def test_go_and_static_containers_are_scraped_and_their_slis_recorded(
        repo: Path, registry: str, tmp_path: Path) -> None:
    with _container("renderer", registry) as renderer, _container("docs", registry) as docs, \
            _prometheus(repo, {"renderer": renderer, "docs": docs}, tmp_path) as url:
        assert _groups(url) == ["docs-slo-alerts", "docs-slo-recording",
                                "renderer-slo-alerts", "renderer-slo-recording"]
        # Proofs, some refused (400: a client error, not against the SLO), and help pages.
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            for path in ("/proof?w=40&h=30", "/proof?w=0&h=30"):
                _get(renderer + path)
            for path in ("/", "/missing.html"):
                _get(docs + path)
            time.sleep(0.02)
        wanted = [("renderer", "availability"), ("renderer", "latency"),
                  ("docs", "availability")]
        for service, slo in wanted:
            series = _wait(f"the {service} {slo} SLI", lambda s=service, o=slo: _query(
                url, f'slo:sli_error:ratio_rate5m{{service="{s}",slo="{o}"}}'))
            assert isinstance(series, list)
            assert float(series[0]["value"][1]) == 0.0, series  # type: ignore[index]
        # Both services' own series are what the recording rules read, 400s and 404s counted.
        codes = {(s["metric"]["job"], s["metric"]["code"])  # type: ignore[index]
                 for s in _query(url, "http_requests_total")}
        assert {("renderer", "200"), ("renderer", "400"), ("docs", "200"),
                ("docs", "404")} <= codes
        assert _alerts(url) == {}
