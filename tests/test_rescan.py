"""The scheduled re-scan, step by step in real bash: it reads the digest serving traffic from
the Helm release, gates the scanner's report with the real `pipelinegen vuln-gate`, and opens
an issue (or comments on the open one). `helm` and `gh` are the recording stand-ins of
tests/support/fakes (no cluster, no GitHub here); bash, jq, tee and pipelinegen are real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.support import workflow_models
from tests.support.gitrepo import REPO_ROOT

FAKES = Path(__file__).parent / "support" / "fakes"
D = "sha256:" + "d" * 64
G = "sha256:" + "6" * 64


def steps(environment: str) -> dict[str, dict[str, Any]]:
    flow = YAML(typ="safe").load(workflow_models.bundled()[".github/workflows/rescan.yml"])
    return {s["name"]: s for s in flow["jobs"][f"rescan-{environment}"]["steps"]}


def bash(tmp_path: Path, step: dict[str, Any], **env: str) -> tuple[int, str, Path]:
    assert step["shell"] == "bash"
    script = tmp_path / "step.sh"
    script.write_text(step["run"])
    output = tmp_path / "output"
    output.write_text("")
    log = tmp_path / "calls.jsonl"
    full = {**os.environ, **step["env"], "RUNNER_TEMP": str(tmp_path),
            "GITHUB_OUTPUT": str(output), "GITHUB_REPOSITORY": "printloop/platform",
            "PATH": f"{FAKES}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}"
                    f"{os.environ['PATH']}",
            "HELM_STATE": str(tmp_path / "helm.json"), "HELM_LOG": str(tmp_path / "helm.log"),
            "SIGSTORE_LOG": str(log), **env}
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                          env=full, capture_output=True, text=True, check=False,
                          cwd=REPO_ROOT)
    return done.returncode, done.stdout + done.stderr, log


def test_the_digest_serving_traffic_is_read_per_strategy(tmp_path: Path) -> None:
    state = {"api": [{"blueGreen": {"active": "green", "blue": {"digest": D},
                                    "green": {"digest": G}}}]}
    (tmp_path / "helm.json").write_text(json.dumps(state))
    code, _, _ = bash(tmp_path, steps("production")["Read the deployed digest"], SERVICE="api")
    assert code == 0
    assert (tmp_path / "output").read_text() == f"digest={G}\n"  # the live colour's
    (tmp_path / "helm.json").write_text(json.dumps({"api": [{"image": {"digest": D}}]}))
    code, _, _ = bash(tmp_path, steps("dev")["Read the deployed digest"], SERVICE="api")
    assert (code, (tmp_path / "output").read_text()) == (0, f"digest={D}\n")


def test_an_undeployed_service_is_skipped(tmp_path: Path) -> None:
    step = steps("dev")["Read the deployed digest"]
    code, out, _ = bash(tmp_path, step, SERVICE="api")
    assert code == 0 and "::notice::api is not deployed in printloop-dev" in out
    assert (tmp_path / "output").read_text() == "digest=\n"
    flow = steps("dev")
    assert flow["Scan for vulnerabilities"]["if"] == "steps.deployed.outputs.digest != ''"


CRITICAL = {"matches": [{"vulnerability": {"id": "CVE-2027-1234", "severity": "Critical"},
                         "artifact": {"name": "openssl", "version": "3.0.1"}}]}


def test_a_new_critical_fails_the_gate_and_opens_an_issue(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps(CRITICAL))
    code, out, _ = bash(tmp_path, steps("production")["Gate on vulnerabilities"],
                        SERVICE="api", REPORT=str(report))
    assert code == 1  # pipefail: tee does not hide the gate's verdict
    gate = (tmp_path / "gate.txt").read_text()
    assert "::error::CVE-2027-1234 (critical) in openssl 3.0.1" in gate
    issue = steps("production")["Open an issue for the findings"]
    assert issue["if"] == "failure() && steps.gate.outcome == 'failure'"
    code, out, log = bash(tmp_path, issue, SERVICE="api", DIGEST=D, IMAGE="ghcr.io/printloop/api",
                          RUN_URL="https://github.com/printloop/platform/actions/runs/7")
    assert code == 0, out
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert calls[0][:3] == ["gh", "issue", "list"]
    assert calls[1][:3] == ["gh", "issue", "create"]
    title = calls[1][calls[1].index("--title") + 1]
    assert title == "Vulnerabilities in api deployed to production"
    body = calls[2][1]
    assert f"ghcr.io/printloop/api@{D} (production)" in body and "CVE-2027-1234" in body
    assert "actions/runs/7" in body


def test_an_open_issue_gets_a_comment_instead_of_a_twin(tmp_path: Path) -> None:
    (tmp_path / "gate.txt").write_text("failed: 1 finding(s)\n")
    code, out, log = bash(tmp_path, steps("dev")["Open an issue for the findings"],
                          SERVICE="api", DIGEST=D, GH_OPEN_ISSUE="42")
    assert code == 0, out
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert calls[1][:4] == ["gh", "issue", "comment", "42"]
    assert not any(c[:3] == ["gh", "issue", "create"] for c in calls)


def test_a_clean_report_passes(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"matches": []}))
    code, out, _ = bash(tmp_path, steps("staging")["Gate on vulnerabilities"],
                        SERVICE="api", REPORT=str(report))
    assert code == 0, out
