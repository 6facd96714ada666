"""The generated Alertmanager configuration, checked and routed by the real amtool."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.observability.obskit import bundled, generate, run, small, tool


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
