"""Runbooks: one section per alert, linked from its runbook_url, and notes that survive."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from pipelinegen import notes
from tests.support.cli import RunCli

NOTE = "Orders fail when the NFS share of the order store is unmounted: see INC-42.\n"


def _runbook(repo: Path) -> Path:
    return repo / "docs" / "SRE" / "api.md"


def test_every_alert_links_to_its_own_section_with_the_commands(
        example_repo: Path, run_cli: RunCli) -> None:
    assert run_cli("generate", "--file", example_repo / "services.yaml").exit_code == 0
    text = _runbook(example_repo).read_text()
    rules = yaml.safe_load((example_repo / "generated/observability/api/rules.yaml").read_text())
    alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
    assert len(alerts) == 8
    headings = re.findall(r"^### (\S+)$", text, re.MULTILINE)
    assert headings == [a["alert"] for a in alerts]
    for alert in alerts:
        url = alert["annotations"]["runbook_url"]
        assert url == ("https://github.com/printloop/platform/blob/main/docs/SRE/api.md#"
                       + alert["alert"].lower())
        section = text.split(f"### {alert['alert']}\n")[1].split("\n### ")[0]
        assert "helm rollback api -n printloop-prod --wait" in section
        assert "kubectl logs -n printloop-staging -l app.kubernetes.io/name=api" in section
        assert "Escalation: @printloop/backend" in section


def test_notes_survive_regeneration_and_are_no_drift(example_repo: Path, run_cli: RunCli
                                                     ) -> None:
    services = example_repo / "services.yaml"
    assert run_cli("generate", "--file", services).exit_code == 0
    runbook = _runbook(example_repo)
    original = runbook.read_text()
    placeholder = notes.extract(original.encode())
    assert placeholder is not None
    runbook.write_text(original.replace(placeholder, NOTE))

    checked = run_cli("check", "--file", services)
    assert checked.exit_code == 0, checked.output
    # A model change rewrites the runbook (a new objective) and keeps the notes.
    services.write_text(services.read_text().replace(
        "availability: {objective: 99.9, window: 30d}", "availability: {objective: 99.5}"))
    generated = run_cli("generate", "--file", services)
    assert generated.exit_code == 0, generated.output
    assert "updated  docs/SRE/api.md" in generated.output
    text = runbook.read_text()
    assert "| availability | 99.5% |" in text
    assert notes.extract(text.encode()) == NOTE


def test_an_edit_outside_the_notes_is_a_hand_edit(example_repo: Path, run_cli: RunCli) -> None:
    services = example_repo / "services.yaml"
    assert run_cli("generate", "--file", services).exit_code == 0
    runbook = _runbook(example_repo)
    runbook.write_text(runbook.read_text().replace("# api runbook", "# API runbook"))
    checked = run_cli("check", "--file", services)
    assert checked.exit_code == 1
    assert "docs/SRE/api.md" in checked.output
    refused = run_cli("generate", "--file", services)
    assert refused.exit_code == 1
    assert "edited by hand" in refused.output
