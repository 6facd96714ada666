"""The generated Alertmanager configuration, checked and routed by the real amtool."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.observability import bundled, generate, run, small, tool


def _config(tmp_path: Path, text: str) -> Path:
    generate(text, tmp_path)
    return tmp_path / "generated" / "observability" / "alertmanager.yaml"


def test_amtool_accepts_the_bundled_configuration(tmp_path: Path) -> None:
    checked = run(tool("amtool"), "check-config", str(_config(tmp_path, bundled())))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "1 inhibit rules" in checked.stdout


@pytest.mark.parametrize(("labels", "receiver"), [
    (["owner=@printloop/backend", "severity=page"], "backend-pagerduty"),
    (["owner=@printloop/backend", "severity=ticket"], "backend-slack"),
    (["owner=@printloop/unknown", "severity=page"], "unrouted"),
])
def test_pages_and_tickets_route_to_the_owners_receivers(
        tmp_path: Path, labels: list[str], receiver: str) -> None:
    config = _config(tmp_path, bundled())
    routed = run(tool("amtool"), "config", "routes", "test", f"--config.file={config}", *labels)
    assert routed.returncode == 0, routed.stderr
    assert routed.stdout.strip() == receiver


def test_amtool_rejects_an_inhibition_without_matchers(tmp_path: Path) -> None:
    config = _config(tmp_path, small())
    config.write_text(config.read_text().replace('- severity="page"', "- severity=page=\""))
    assert run(tool("amtool"), "check-config", str(config)).returncode != 0


def test_no_secret_value_is_written(tmp_path: Path) -> None:
    text = _config(tmp_path, small()).read_text()
    assert "routing_key_file: /etc/alertmanager/secrets/am-pagerduty/shop" in text
    assert "api_url_file: /etc/alertmanager/secrets/am-slack/shop" in text
    assert "routing_key:" not in text and "api_url:" not in text


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _alert(severity: str, slo: str) -> dict[str, object]:
    return {"labels": {"alertname": f"ApiAvailabilityBurn{'1h' if severity == 'page' else '1d'}",
                       "severity": severity, "owner": "@printloop/backend", "service": "api",
                       "slo": slo, "namespace": "printloop-prod"},
            "annotations": {"summary": "test"}}


def test_a_real_alertmanager_inhibits_the_ticket_of_a_firing_page(tmp_path: Path) -> None:
    """The generated config in a real Alertmanager on 127.0.0.1: a page of one SLO inhibits
    that SLO's ticket, not another SLO's. The secret files are stand-ins in tmp_path."""
    import json
    import subprocess
    import time
    import urllib.request

    binary = tool("prometheus-alertmanager")
    config = _config(tmp_path / "repo", bundled())
    secrets = tmp_path / "secrets"
    for name in ("alertmanager-pagerduty/backend", "alertmanager-slack/backend"):
        (secrets / name).parent.mkdir(parents=True, exist_ok=True)
        (secrets / name).write_text("http://127.0.0.1:9/unused\n")
    config.write_text(config.read_text().replace("/etc/alertmanager/secrets", str(secrets)))
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api/v2/alerts"
    server = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "Alertmanager did not start"
                time.sleep(0.3)
        alerts = [_alert("page", "availability"), _alert("ticket", "availability"),
                  _alert("ticket", "latency")]
        request = urllib.request.Request(url, data=json.dumps(alerts).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=5).close()
        deadline = time.monotonic() + 20
        while True:
            with urllib.request.urlopen(url, timeout=5) as response:
                found = {(a["labels"]["severity"], a["labels"]["slo"]): a["status"]
                         for a in json.load(response)}
            if len(found) == 3 and found[("ticket", "availability")]["inhibitedBy"]:
                break
            assert time.monotonic() < deadline, found
            time.sleep(0.3)
        assert found[("page", "availability")]["state"] == "active"
        assert found[("ticket", "availability")]["state"] == "suppressed"
        assert found[("ticket", "latency")]["state"] == "active"  # another SLO: not inhibited
    finally:
        server.terminate()
        server.wait(timeout=30)
