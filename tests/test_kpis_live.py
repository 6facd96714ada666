"""`pipelinegen kpis` against a real HTTP server on 127.0.0.1 answering with GitHub-shaped
workflow runs, deployments and deployment statuses: several pages, a rate limit on the way, and
deployments that succeed, fail, error and are rolled back. Every figure is worked out by hand
below, from the history the server plays."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from pipelinegen.kpis import figures
from tests.support.github import TOKEN, GitHubServer, Reply, run

REPO = "/repos/acme/demo"
RUNS = f"{REPO}/actions/workflows/ci.yml/runs"
DEPLOYMENTS = f"{REPO}/deployments"


def at(hhmm: str, day: int = 10) -> str:
    return f"2026-11-{day:02d}T{hhmm}:00Z"


def workflow_run(number: int, conclusion: str, started: str, minutes: int) -> dict[str, Any]:
    hours, mins = divmod(int(started[:2]) * 60 + int(started[3:]) + minutes, 60)
    return {"id": number, "name": "ci", "head_branch": "main", "event": "push",
            "status": "completed", "conclusion": conclusion, "created_at": at(started),
            "run_started_at": at(started), "updated_at": at(f"{hours:02d}:{mins:02d}"),
            "html_url": f"https://github.com/acme/demo/actions/runs/{number}"}


def deployment(number: int, environment: str, sha: str, created: str) -> dict[str, Any]:
    return {"id": number, "sha": sha * 40, "ref": "main", "task": "deploy",
            "environment": environment, "created_at": at(created),
            "updated_at": at(created), "creator": {"login": "github-actions[bot]"}}


def status(state: str, created: str, description: str = "") -> dict[str, Any]:
    return {"id": hash((state, created)) % 10**6, "state": state, "description": description,
            "environment": "x", "created_at": at(created)}


# CI on main: durations 8, 12, 15, 25 (failed), 10 minutes, and a cancelled 40-minute run.
RUNS_PAGE_1 = {"total_count": 6, "workflow_runs": [
    workflow_run(106, "cancelled", "16:00", 40), workflow_run(105, "success", "15:00", 10),
    workflow_run(104, "failure", "14:00", 25)]}
RUNS_PAGE_2 = {"total_count": 6, "workflow_runs": [
    workflow_run(103, "success", "13:00", 15), workflow_run(102, "success", "12:00", 12),
    workflow_run(101, "success", "11:00", 8)]}

# Deployments, newest first as GitHub lists them; statuses newest first too.
HISTORY: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] = {
    # unfinished: excluded
    10: (deployment(10, "production", "f", "16:00"), [status("queued", "16:00")]),
    # success, then an operator marked it rolled back: bad
    8: (deployment(8, "production", "d", "14:10"),
        [status("inactive", "15:00", "Rolled back by the on-call engineer"),
         status("success", "14:20"), status("in_progress", "14:10")]),
    # recovers production from the incident that opened at 14:02 (14:02 -> 15:10: 68 min)
    9: (deployment(9, "production", "e", "15:05"), [status("success", "15:10")]),
    7: (deployment(7, "production", "d", "14:00"),
        [status("error", "14:02"), status("pending", "14:00")]),
    # deploys commit a again: deployment 5 (commit c) was rolled back; recovers 13:10 -> 13:50
    6: (deployment(6, "production", "a", "13:40"),
        [status("success", "13:50"), status("in_progress", "13:40")]),
    5: (deployment(5, "production", "c", "13:00"),
        [status("inactive", "13:50"), status("success", "13:10")]),
    4: (deployment(4, "production", "a", "12:00"),
        [status("inactive", "13:10"), status("success", "12:05"), status("in_progress", "12:00")]),
    # staging: fails at 11:04, recovered by the next deployment at 11:30 (26 min)
    3: (deployment(3, "staging", "c", "11:20"), [status("success", "11:30")]),
    2: (deployment(2, "staging", "b", "11:00"),
        [status("failure", "11:04"), status("in_progress", "11:00")]),
    1: (deployment(1, "staging", "a", "10:00"),
        [status("success", "10:05"), status("in_progress", "10:00")]),
    # before --since: excluded
    0: ({**deployment(0, "staging", "z", "09:00"), "created_at": "2026-10-29T09:00:00Z"},
        [status("failure", "09:10")]),
}
ORDER = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]

# By hand, from the history above:
# finished deployments 1-9 (10 is queued, 0 is before --since): 9.
# bad: 2 (failure), 5 (rolled back: 6 deploys commit a, which 4 deployed before 5),
#      7 (error), 8 (its status says "Rolled back") -> 4; good: 1, 3, 4, 6, 9 -> 5.
SUCCESS_RATE = 100 * 5 / 9  # 55.56 %
FAILED, ROLLED_BACK = 2, 2
# production: 4-9, bad 5, 7, 8 -> 3 of 6
CHANGE_FAILURE = 100 * 3 / 6
# CI: success/failure durations 8, 10, 12, 15, 25 -> nearest rank p50 = 3rd = 12, p95 = 5th = 25
P50, P95 = 12.0, 25.0
# incidents: staging 11:04 -> 11:30 (26), production 13:10 -> 13:50 (40), 14:02 -> 15:10 (68)
MTTR = (26 + 40 + 68) / 3  # 44.67 min


def serve(github: GitHubServer) -> None:
    github.on("GET", REPO, Reply(200, {"full_name": "acme/demo", "default_branch": "main"}))
    github.on("GET", RUNS,
              Reply(200, RUNS_PAGE_1, {"Link": f'<{{base}}{RUNS}?page=2>; rel="next"'}))
    github.on("GET", f"{RUNS}?page=2", Reply(200, RUNS_PAGE_2))
    first, rest = ORDER[:6], ORDER[6:]
    github.on("GET", DEPLOYMENTS, Reply(200, [HISTORY[n][0] for n in first],
                                        {"Link": f'<{{base}}{DEPLOYMENTS}?page=2>; rel="next"'}))
    reset = str(int(time.time()) + 1)
    github.on("GET", f"{DEPLOYMENTS}?page=2",
              Reply(403, {"message": "API rate limit exceeded for installation ID 7."},
                    {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}),
              Reply(200, [HISTORY[n][0] for n in rest]))
    for number, (_, statuses) in HISTORY.items():
        path = f"{DEPLOYMENTS}/{number}/statuses"
        if len(statuses) > 2:  # a second page of statuses
            github.on("GET", path, Reply(200, statuses[:2],
                                         {"Link": f'<{{base}}{path}?page=2>; rel="next"'}))
            github.on("GET", f"{path}?page=2", Reply(200, statuses[2:]))
        else:
            github.on("GET", path, Reply(200, statuses))


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    for name in ("GH_TOKEN", "GITHUB_API_URL", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)


def kpis(capsys: pytest.CaptureFixture[str], github: GitHubServer,
         *options: str) -> tuple[int, str, str]:
    return run(capsys, "kpis", "--repo", "acme/demo", "--api-url", github.url, *options)


@pytest.mark.usefixtures("env")
def test_every_figure_equals_the_one_worked_out_by_hand(
        capsys: pytest.CaptureFixture[str], github: GitHubServer) -> None:
    serve(github)
    started = time.monotonic()
    code, out, err = kpis(capsys, github, "--since", "2026-11-01", "--format", "json")
    assert time.monotonic() - started >= 0.9  # the rate limit's reset was waited for
    assert code == 1, err
    report = json.loads(out)
    values = {figure["name"]: figure["value"] for figure in report["figures"]}
    assert values == {
        "deployment success rate": round(SUCCESS_RATE, 2),  # 55.56
        "deployments failed": FAILED,
        "rollbacks": ROLLED_BACK,
        "change failure rate": round(CHANGE_FAILURE, 2),  # 50.0
        "CI duration p50": P50,
        "CI duration p95": P95,
        "mean time to recovery": round(MTTR, 2),  # 44.67
    }
    assert (report["runs"], report["deployments"], report["branch"]) == (6, 10, "main")
    assert report["missed"] == ["deployment success rate", "change failure rate",
                                "CI duration p95", "mean time to recovery"]
    verdicts = {figure["name"]: figure["met"] for figure in report["figures"]}
    assert verdicts["CI duration p50"] is True and verdicts["rollbacks"] is None
    assert err.splitlines() == ["error: 4 of the charter's targets missed: deployment success"
                                " rate, change failure rate, CI duration p95, mean time to"
                                " recovery"]
    # What was asked: the CI runs of main's pushes since the date, every page, each deployment's
    # statuses (page 2 of the deployments twice: once rate limited).
    paths = github.paths()
    assert paths[:3] == [
        f"GET {REPO}",
        f"GET {RUNS}?per_page=100&branch=main&event=push&status=completed&created=%3E%3D2026-11-01",
        f"GET {RUNS}?page=2"]
    assert paths.count(f"GET {DEPLOYMENTS}?page=2") == 2
    assert f"GET {DEPLOYMENTS}/0/statuses?per_page=100" not in paths  # before --since
    assert f"GET {DEPLOYMENTS}/4/statuses?page=2" in paths
    assert all(seen.headers["Authorization"] == f"Bearer {TOKEN}" for seen in github.seen)


@pytest.mark.usefixtures("env")
def test_text_and_markdown_show_the_same_figures(
        capsys: pytest.CaptureFixture[str], github: GitHubServer) -> None:
    serve(github)
    code, out, _ = kpis(capsys, github, "--since", "2026-11-01", "--branch", "main")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == ("acme/demo since 2026-11-01: ci.yml on main (6 runs), 10 deployments")
    assert lines[3].split("  ")[0] == "deployment success rate"
    assert "55.6 %" in lines[3] and ">= 99 %" in lines[3] and "MISSED" in lines[3]
    assert "5 of 9 deployments succeeded without rollback" in lines[3]
    assert "12.0 min" in lines[7] and "met" in lines[7]
    assert "44.7 min" in lines[9] and "3 recovered incident(s)" in lines[9]
    assert lines[-1] == "4 of 5 targets missed"
    code, out, _ = kpis(capsys, github, "--since", "2026-11-01", "--format", "markdown")
    assert code == 1
    assert ("| change failure rate | 50.0 % | <= 1 % | MISSED | 3 of 6 deployments to"
            " production |") in out.splitlines()


@pytest.mark.usefixtures("env")
def test_a_healthy_history_meets_every_target(
        capsys: pytest.CaptureFixture[str], github: GitHubServer) -> None:
    github.on("GET", RUNS, Reply(200, {"total_count": 2, "workflow_runs": [
        workflow_run(2, "success", "10:00", 19), workflow_run(1, "success", "09:00", 7)]}))
    github.on("GET", DEPLOYMENTS, Reply(200, [deployment(1, "production", "a", "10:00")]))
    github.on("GET", f"{DEPLOYMENTS}/1/statuses", Reply(200, [status("success", "10:03")]))
    code, out, err = kpis(capsys, github, "--branch", "main", "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["missed"] == []
    assert {f["name"]: f["value"] for f in report["figures"]}["CI duration p95"] == 19.0
    mttr = next(f for f in report["figures"] if f["name"] == "mean time to recovery")
    assert (mttr["value"], mttr["met"]) == (None, None)  # no incident: nothing to judge
    assert f"GET {REPO}" not in github.paths()  # --branch given: no need to ask


@pytest.mark.usefixtures("env")
def test_bad_options_are_usage_errors(capsys: pytest.CaptureFixture[str],
                                      github: GitHubServer) -> None:
    code, _, err = kpis(capsys, github, "--since", "last week")
    assert (code, err.splitlines()) == (2, ["error: --since 'last week' is not a date",
                                            "hint: e.g. --since 2026-11-01"])
    code, _, err = run(capsys, "kpis", "--repo", "not a repo", "--api-url", github.url)
    assert code == 2 and "--repo 'not a repo' is not valid" in err
    assert github.seen == []


def test_through_the_installed_command_the_token_is_never_shown(github: GitHubServer) -> None:
    serve(github)
    github.on("GET", f"{DEPLOYMENTS}/9/statuses", Reply(401, {"message": "Bad credentials"}))
    env = {**os.environ, "GITHUB_TOKEN": TOKEN}
    env.pop("GH_TOKEN", None)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "pipelinegen"), "kpis", "--repo", "acme/demo",
         "--api-url", github.url], capture_output=True, text=True, env=env, check=False,
        timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == (
        f"error: GET {DEPLOYMENTS}/9/statuses: 401 Unauthorized: GitHub rejected the token"
        " (Bad credentials)")
    assert "Traceback" not in done.stderr
    assert TOKEN not in done.stdout + done.stderr


def test_a_deployment_back_to_the_same_commit_is_no_rollback() -> None:
    """Re-deploying the live commit (a retry) does not roll anything back."""
    def dep(number: int, sha: str, minute: int) -> figures.Deployment:
        when = datetime.fromisoformat(f"2026-11-10T10:{minute:02d}:00+00:00")
        return figures.Deployment(number, "production", sha, when,
                                  (figures.Status("success", when),))
    judged = figures.judge([dep(1, "a", 0), dep(2, "b", 10), dep(3, "b", 20)])
    assert [j.rolled_back for j in judged] == [False, False, False]
    judged = figures.judge([dep(1, "a", 0), dep(2, "b", 10), dep(3, "a", 20)])
    assert [j.rolled_back for j in judged] == [False, True, False]
