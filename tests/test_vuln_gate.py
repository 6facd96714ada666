"""The vulnerability gate: its decision table, exception expiry at its edges, the reports of
both scanners and the `vuln-gate` command. (The `vuln-exceptions` rule of `validate`:
tests/rules/test_vuln_exceptions.py.)"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipelinegen.cli import cli
from pipelinegen.vulns import gate, report
from pipelinegen.vulns.report import Finding
from pipelinegen.vulns.settings import VulnException
from tests.support.vulns import CVE, TODAY, listed, workspace


def exception(expires: str, service: str = "api", id: str = CVE) -> VulnException:
    return VulnException(id=id, service=service, reason="not reachable: no TLS in this service",
                         owner="@printloop/platform", expires=expires)


def finding(severity: str, id: str = CVE) -> Finding:
    return Finding(id, severity, "openssl", "3.0.1")


# (finding's severity, fail_on, exception: none / valid / expired / other service) -> passes?
TABLE = [
    ("critical", "critical", "none", False),
    ("critical", "critical", "valid", True),
    ("critical", "critical", "expired", False),
    ("critical", "critical", "other-service", False),
    ("high", "critical", "none", True),
    ("high", "critical", "expired", False),  # an expired exception fails even when not serious
    ("high", "high", "none", False),
    ("high", "high", "valid", True),
    ("medium", "high", "none", True),
    ("low", "low", "none", False),
    ("negligible", "low", "none", True),
    ("critical", "low", "valid", True),
    ("unknown", "negligible", "none", True),  # an unranked severity never fails the gate
    (None, "critical", "none", True),  # a clean report
    (None, "critical", "valid", True),  # an unused exception that still holds
    (None, "critical", "expired", False),  # an expired one must be renewed or removed
]


@pytest.mark.parametrize(("severity", "fail_on", "state", "passes"), TABLE)
def test_decision_table(severity: str | None, fail_on: str, state: str, passes: bool) -> None:
    exceptions = {"none": [], "valid": [exception("2027-06-30")],
                  "expired": [exception("2027-05-31")],
                  "other-service": [exception("2027-06-30", service="web")]}[state]
    findings = [finding(severity)] if severity else []
    decision = gate.decide(findings, exceptions, "api", fail_on, TODAY)
    assert decision.passed is passes
    if state == "valid" and severity and gate.rank(severity) >= gate.rank(fail_on):
        assert decision.excepted == (findings[0],) and not decision.blocking


@pytest.mark.parametrize(("expires", "expired"), [
    ("2027-06-02", False), ("2027-06-01", False),  # holds through its last day
    ("2027-05-31", True), ("2026-06-01", True),
])
def test_expiry_edges(expires: str, expired: bool) -> None:
    assert gate.is_expired(exception(expires), TODAY) is expired
    decision = gate.decide([finding("critical")], [exception(expires)], "api", "critical", TODAY)
    assert decision.passed is not expired


@pytest.mark.parametrize(("expires", "left"), [
    ("2027-06-16", None),  # 15 days: beyond the 14-day window
    ("2027-06-15", 14), ("2027-06-02", 1), ("2027-06-01", 0), ("2027-05-31", -1),
])
def test_warning_window_edges(expires: str, left: int | None) -> None:
    found = gate.expiring([exception(expires)], TODAY, 14)
    assert found == ([] if left is None else [(0, left)])


def test_an_alias_matches_the_exception() -> None:
    """grype reports a GHSA with its CVE among the related vulnerabilities."""
    ghsa = Finding("GHSA-abcd-efgh-jkmp", "critical", "lodash", "4.17.0", frozenset({CVE}))
    decision = gate.decide([ghsa], [exception("2027-06-30")], "api", "critical", TODAY)
    assert decision.passed and decision.excepted == (ghsa,)


GRYPE = {"matches": [
    {"vulnerability": {"id": CVE, "severity": "Critical"},
     "relatedVulnerabilities": [{"id": "CVE-2027-9999"}],
     "artifact": {"name": "openssl", "version": "3.0.1"}},
    {"vulnerability": {"id": "CVE-2027-0002", "severity": "Medium"},
     "artifact": {"name": "zlib", "version": "1.2.13"}},
]}
TRIVY = {"SchemaVersion": 2, "Results": [
    {"Target": "img (debian 12.5)", "Vulnerabilities": [
        {"VulnerabilityID": CVE, "Severity": "CRITICAL", "PkgName": "openssl",
         "InstalledVersion": "3.0.1", "VendorIDs": ["DSA-5000-1"]}]},
    {"Target": "app/requirements.txt"},  # a target without findings has no Vulnerabilities
]}


def test_both_reports_read_the_same_finding() -> None:
    grype = report.parse(json.dumps(GRYPE), "grype", "r.json")
    trivy = report.parse(json.dumps(TRIVY), "trivy", "r.json")
    assert grype[0] == trivy[0] == Finding(CVE, "critical", "openssl", "3.0.1")
    assert grype[0].aliases == {"CVE-2027-9999"} and grype[1].severity == "medium"


# --- the command -------------------------------------------------------------------------


def gate_cli(tmp_path: Path, services: Path, data: dict[str, Any], *extra: str) -> Any:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(data))
    return CliRunner().invoke(cli, ["vuln-gate", "--file", str(services), "--root",
                                    str(tmp_path), "--service", "api", "--report", str(path),
                                    *extra], catch_exceptions=False)


def test_the_command_fails_on_a_critical_without_exception(tmp_path: Path) -> None:
    done = gate_cli(tmp_path, workspace(tmp_path), GRYPE)
    assert done.exit_code == 1
    assert f"::error::{CVE} (critical) in openssl 3.0.1: no exception" in done.output
    assert "CVE-2027-0002" not in done.output  # medium: below the default threshold


def test_the_command_passes_with_a_valid_exception_and_fails_once_expired(
        tmp_path: Path) -> None:
    far = (datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=90)).isoformat()
    done = gate_cli(tmp_path, workspace(tmp_path, listed(far)), TRIVY, "--scanner", "trivy")
    assert done.exit_code == 0, done.output
    assert f"excepted: {CVE} (critical)" in done.output
    done = gate_cli(tmp_path, workspace(tmp_path, listed("2020-01-01")), GRYPE)
    assert done.exit_code == 1
    assert f"::error::exception for {CVE} expired on 2020-01-01" in done.output


def test_an_environment_sets_its_own_threshold(tmp_path: Path) -> None:
    services = workspace(tmp_path, env_fail_on="medium")
    medium = {"matches": GRYPE["matches"][1:]}
    assert gate_cli(tmp_path, services, medium, "--environment", "dev").exit_code == 1
    assert gate_cli(tmp_path, services, medium, "--environment", "staging").exit_code == 0
    assert gate_cli(tmp_path, services, medium).exit_code == 0  # the project's: critical


def test_an_exception_for_an_unknown_service_is_an_input_error(tmp_path: Path) -> None:
    services = workspace(tmp_path, listed("2027-01-01").replace("service: api",
                                                                "service: nope"))
    done = gate_cli(tmp_path, services, GRYPE)
    assert done.exit_code == 2
    assert "no service named 'nope'" in done.output and "use one of:" in done.output


def test_a_date_that_does_not_exist_is_an_input_error(tmp_path: Path) -> None:
    done = gate_cli(tmp_path, workspace(tmp_path, listed("2027-02-30")), GRYPE)
    assert done.exit_code == 2 and "expires" in done.output


def test_a_report_of_another_scanner_is_a_usage_error(tmp_path: Path) -> None:
    done = gate_cli(tmp_path, workspace(tmp_path), TRIVY)  # the default scanner is grype
    assert done.exit_code == 2 and "not a grype JSON report" in done.output
