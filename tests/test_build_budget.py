"""Build-time budgets: every generated job has a `timeout-minutes` from the model's budgets, and
the gate's "List each job's duration" step, run in real bash with the real GitHub CLI against
an HTTPS server on 127.0.0.1 playing recorded GitHub API answers (two pages of jobs), writes
each finished job's duration and the run's elapsed time to the job summary."""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from pipelinegen.emit.workflows import budget
from pipelinegen.model import Ci
from pipelinegen.workspace import Workspace
from tests.support import workflow_models
from tests.support.gitrepo import REPO_ROOT

RUN = "/api/v3/repos/printloop/platform/actions/runs/7001"
TOKEN = "ghs_budgettesttoken0123456789"


def workflows(text: str, tmp: Path) -> dict[str, Any]:
    (tmp / "services.yaml").write_text(text)
    shutil.copytree(REPO_ROOT / ".github", tmp / ".github", dirs_exist_ok=True)
    ws = Workspace.locate(tmp / "services.yaml", tmp)
    return {path: YAML(typ="safe").load(body)
            for path, body in workflow_models.workflows(ws).items()}


def timeouts(flows: dict[str, Any]) -> dict[str, int | None]:
    return {f"{path.rsplit('/', 1)[-1]}:{job_id}": job.get("timeout-minutes")
            for path, flow in sorted(flows.items()) for job_id, job in flow["jobs"].items()}


def test_every_job_has_its_share_of_the_default_budgets(tmp_path: Path) -> None:
    flows = workflows((REPO_ROOT / "services.yaml").read_text(), tmp_path)
    assert timeouts(flows) == {
        "ci.yml:changes": 3, "ci.yml:build": 12, "ci.yml:publish": 3, "ci.yml:gate": 2,
        "ci.yml:deploy": None,  # calls deploy.yml: GitHub takes no timeout there
        "deploy.yml:backing-dev": 30, "deploy.yml:backing-staging": 30,
        "deploy.yml:backing-production": 30,
        "deploy.yml:deploy-dev": 30, "deploy.yml:deploy-staging": 30,
        "deploy.yml:deploy-production": 30,
        "deploy.yml:prune-dev": 30, "deploy.yml:prune-staging": 30,
        "deploy.yml:prune-production": 30,
        "pipelinegen.yml:drift": 3, "pipelinegen.yml:review": 3,
        # The re-scan reads the cluster as a deploy does: the deploy budget.
        "rescan.yml:rescan-dev": 30, "rescan.yml:rescan-staging": 30,
        "rescan.yml:rescan-production": 30,
        "codeql.yml:analyze": 30,  # off the CI path: not a share of budget_minutes
    }
    # The default branch's path through CI (changes, build, publish, gate) fits the budget.
    ci = flows[".github/workflows/ci.yml"]["jobs"]
    assert sum(ci[job]["timeout-minutes"] for job in budget.SHARES) == 20
    assert "uses" in ci["deploy"]


def test_the_budgets_come_from_the_model(tmp_path: Path) -> None:
    text = (REPO_ROOT / "services.yaml").read_text().replace(
        "  ci:\n", "  ci:\n    budget_minutes: 40\n    deploy_minutes: 45\n")
    found = timeouts(workflows(text, tmp_path))
    assert {job: found[f"ci.yml:{job}"] for job in budget.SHARES} == {
        "changes": 6, "build": 24, "publish": 6, "gate": 4}
    assert found["deploy.yml:deploy-production"] == 45
    assert found["pipelinegen.yml:review"] == 6


def test_the_smallest_budget_still_gives_every_job_a_minute() -> None:
    ci = Ci(budget_minutes=5)
    assert [budget.ci_minutes(ci, job) for job in budget.SHARES] == [1, 3, 1, 1]
    assert sum(budget.ci_minutes(ci, job) for job in budget.SHARES) <= 6


# --- the gate's durations step, with the real gh -------------------------------------------


def job(name: str, conclusion: str | None, started: str | None, completed: str | None) -> Any:
    return {"name": name, "status": "completed" if completed else "in_progress",
            "conclusion": conclusion, "started_at": started, "completed_at": completed}


PAGE_1 = {"total_count": 4, "jobs": [
    job("changes", "success", "2026-11-30T10:00:05Z", "2026-11-30T10:01:47Z"),  # 1m 42s
    job("build (api)", "success", "2026-11-30T10:01:50Z", "2026-11-30T10:09:50Z"),  # 8m 0s
]}
PAGE_2 = {"total_count": 4, "jobs": [
    job("build (web)", "failure", "2026-11-30T10:01:51Z", "2026-11-30T10:04:00Z"),  # 2m 9s
    job("gate", None, "2026-11-30T10:10:00Z", None),  # itself: still running, not listed
]}


class TlsGitHub:
    """GitHub Enterprise-shaped API (/api/v3) over HTTPS on 127.0.0.1, as gh expects it."""

    def __init__(self, tmp: Path, run_started_at: str) -> None:
        self.cert = tmp / "cert.pem"
        key = tmp / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-keyout", str(key), "-out", str(self.cert), "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
        self.seen: list[tuple[str, str]] = []
        server = self
        jobs = f"{RUN}/attempts/2/jobs"
        answers = {f"{jobs}?per_page=100": (PAGE_1, f'<{jobs}?per_page=100&page=2>; rel="next"'),
                   f"{jobs}?per_page=100&page=2": (PAGE_2, ""),
                   RUN: ({"id": 7001, "run_started_at": run_started_at}, "")}

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.seen.append((self.path, self.headers.get("Authorization", "")))
                body, link = answers.get(self.path, ({"message": "Not Found"}, ""))
                data = json.dumps(body).encode()
                self.send_response(200 if self.path in answers else 404)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                if link:
                    self.send_header("Link", link.replace("<", f"<https://{server.host}"))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()


@pytest.fixture
def durations_step() -> dict[str, Any]:
    ci = YAML(typ="safe").load(workflow_models.bundled()[".github/workflows/ci.yml"])
    (step,) = [s for s in ci["jobs"]["gate"]["steps"] if s["name"] == "List each job's duration"]
    assert step["if"] == "always()" and step["continue-on-error"] is True
    assert ci["jobs"]["gate"]["permissions"] == {"actions": "read"}
    return dict(step)


def run_durations(step: dict[str, Any], tmp: Path, minutes_ago: int) -> tuple[Any, str, Any]:
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - minutes_ago * 60))
    server = TlsGitHub(tmp, started)
    summary = tmp / "summary.md"
    summary.touch()
    env = {**os.environ, "ROWS": step["env"]["ROWS"],
           "BUDGET_MINUTES": step["env"]["BUDGET_MINUTES"],
           "GH_TOKEN": TOKEN, "GH_ENTERPRISE_TOKEN": TOKEN, "GH_HOST": server.host,
           "SSL_CERT_FILE": str(server.cert), "HOME": str(tmp), "GH_NO_UPDATE_NOTIFIER": "1",
           "GITHUB_REPOSITORY": "printloop/platform", "GITHUB_RUN_ID": "7001",
           "GITHUB_RUN_ATTEMPT": "2", "GITHUB_STEP_SUMMARY": str(summary)}
    try:
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                               step["run"]], env=env, capture_output=True, text=True,
                              check=False, timeout=60)
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    return done, summary.read_text(), server


def test_the_gate_lists_each_finished_job_and_the_run_so_far(
        durations_step: dict[str, Any], tmp_path: Path) -> None:
    done, summary, server = run_durations(durations_step, tmp_path, minutes_ago=12)
    assert done.returncode == 0, done.stdout + done.stderr
    table, _, tail = summary.partition("\n\n")
    assert table.splitlines() == [
        "| job | result | duration |",
        "| --- | --- | ---: |",
        "| changes | success | 1m 42s |",
        "| build (api) | success | 8m 0s |",
        "| build (web) | failure | 2m 9s |",
    ]
    assert tail.startswith("Run so far: 12m ") and tail.endswith("s of a 20-minute budget\n")
    assert "::warning::" not in done.stdout
    assert [path for path, _ in server.seen] == [
        f"{RUN}/attempts/2/jobs?per_page=100", f"{RUN}/attempts/2/jobs?per_page=100&page=2", RUN]
    assert all(auth == f"token {TOKEN}" for _, auth in server.seen)
    assert TOKEN not in done.stdout + done.stderr + summary


def test_a_run_over_its_budget_is_warned_about(
        durations_step: dict[str, Any], tmp_path: Path) -> None:
    done, summary, _ = run_durations(durations_step, tmp_path, minutes_ago=25)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Run so far: 25m " in summary
    assert "::warning::this run took longer than its 20-minute budget" in done.stdout
