"""The deploy jobs' rollout scripts drive Helm exactly per the values contract, and undo a
failed rollout. No Kubernetes cluster can run on this machine, so `helm` is a recording
stand-in (tests/support/fakes/helm) that keeps each release's values per revision; jq and bash
are real.
The values each recorded step sets are then rendered with the real Helm SDK, to show that the
chart does what the step means (canary beside stable, the idle colour behind the Service).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.support import workflow_models

FAKES = Path(__file__).parent / "support" / "fakes"
D = "sha256:" + "d" * 64  # the digest being deployed
S = "sha256:" + "5" * 64  # the digest running now


def rollout_step(environment: str) -> dict[str, Any]:
    deploy = YAML(typ="safe").load(workflow_models.bundled()[".github/workflows/deploy.yml"])
    steps = deploy["jobs"][f"deploy-{environment}"]["steps"]
    (step,) = [s for s in steps if s["name"].startswith("Roll out")]
    return dict(step)


def run(tmp_path: Path, environment: str, state: dict[str, Any] | None = None,
        fail_on: str | None = None, cwd: Path | None = None
        ) -> tuple[int, list[list[str]], dict[str, Any]]:
    step = rollout_step(environment)
    assert step["shell"] == "bash"
    state_file, log = tmp_path / "state.json", tmp_path / "log.jsonl"
    if state is not None:
        state_file.write_text(json.dumps(state))
    env = {**os.environ, **step["env"], "SERVICE": "api", "DIGEST": D,
           "PATH": f"{FAKES}{os.pathsep}{os.environ['PATH']}",
           "HELM_STATE": str(state_file), "HELM_LOG": str(log)}
    if fail_on:
        env["HELM_FAIL_ON"] = fail_on
    # GitHub runs `shell: bash` as `bash --noprofile --norc -eo pipefail {0}`.
    script = tmp_path / "step.sh"
    script.write_text(step["run"])
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                          env=env, capture_output=True, text=True, check=False, cwd=cwd)
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    final = json.loads(state_file.read_text()) if state_file.exists() else {}
    return done.returncode, [c for c in calls if c[0] in ("upgrade", "rollback", "uninstall")], \
        final


def sets(call: list[str]) -> list[str]:
    return [call[i + 1] for i, arg in enumerate(call) if arg == "--set"]


def test_rolling_is_one_atomic_upgrade(tmp_path: Path) -> None:
    code, calls, _ = run(tmp_path, "dev")
    assert code == 0
    assert calls == [["upgrade", "--install", "api", "generated/helm/api", "-n", "printloop-dev",
                      "-f", "generated/helm/api/values-dev.yaml", "--timeout", "10m",
                      "--set", f"image.digest={D}", "--wait", "--atomic"]]


@pytest.mark.parametrize("environment", ["dev", "staging", "production"])
def test_the_own_values_file_is_passed_after_the_generated_one(tmp_path: Path,
                                                               environment: str) -> None:
    work = tmp_path / "checkout"
    own = work / f"deploy/values/api-{environment}.yaml"
    own.parent.mkdir(parents=True)
    (work / "deploy/values/api-other.yaml").write_text("replicas: 9\n")  # not this environment
    code, without, _ = run(tmp_path, environment, cwd=work)
    assert code == 0
    assert all(f"deploy/values/api-{environment}.yaml" not in call for call in without)
    assert all("deploy/values/api-other.yaml" not in call for call in without)
    own.write_text("replicas: 3\n")
    (tmp_path / "log.jsonl").unlink()
    (tmp_path / "state.json").unlink(missing_ok=True)
    code, calls, _ = run(tmp_path, environment, cwd=work)
    assert code == 0 and calls
    generated = f"generated/helm/api/values-{environment}.yaml"
    for call in calls:
        if call[0] != "upgrade":
            continue
        files = [call[i + 1] for i, arg in enumerate(call) if arg == "-f"]
        assert files == [generated, f"deploy/values/api-{environment}.yaml"]


def test_canary_keeps_the_stable_digest_then_promotes(tmp_path: Path) -> None:
    code, calls, state = run(tmp_path, "staging", {"api": [{"image": {"digest": S}}]})
    assert code == 0
    assert [sets(c) for c in calls] == [
        [f"image.digest={S}", f"canary.digest={D}"],
        [f"image.digest={D}", "canary.digest="],
    ]
    assert all("--wait" in c and "printloop-staging" in c for c in calls)
    assert state["api"][-1] == {"image": {"digest": D}, "canary": {"digest": ""}}


def test_canary_first_install_uses_the_new_digest_for_both(tmp_path: Path) -> None:
    code, calls, _ = run(tmp_path, "staging")
    assert code == 0
    assert sets(calls[0]) == [f"image.digest={D}", f"canary.digest={D}"]


def test_failed_promotion_rolls_back_to_the_revision_before_the_canary(tmp_path: Path) -> None:
    before = {"api": [{"image": {"digest": "sha256:" + "1" * 64}}, {"image": {"digest": S}}]}
    code, calls, state = run(tmp_path, "staging", before, fail_on="canary.digest= ")
    assert code == 1
    assert calls[-1][:3] == ["rollback", "api", "2"]
    assert state["api"][-1] == {"image": {"digest": S}}


def test_failed_first_canary_is_uninstalled(tmp_path: Path) -> None:
    code, calls, state = run(tmp_path, "staging", fail_on=f"canary.digest={D}")
    assert code == 1
    assert calls[-1][:2] == ["uninstall", "api"]
    assert state == {}


def test_blue_green_deploys_to_the_idle_colour_then_switches(tmp_path: Path) -> None:
    live = {"api": [{"blueGreen": {"active": "blue", "blue": {"digest": S}}}]}
    code, calls, state = run(tmp_path, "production", live)
    assert code == 0
    assert [sets(c) for c in calls] == [
        [f"blueGreen.blue.digest={S}", f"blueGreen.green.digest={D}", "blueGreen.active=blue"],
        [f"blueGreen.blue.digest={S}", f"blueGreen.green.digest={D}", "blueGreen.active=green"],
    ]
    assert all("values-production.yaml" in " ".join(c) for c in calls)
    assert state["api"][-1]["blueGreen"]["active"] == "green"


def test_blue_green_from_green_goes_back_to_blue(tmp_path: Path) -> None:
    live = {"api": [{"blueGreen": {"active": "green", "green": {"digest": S}}}]}
    code, calls, _ = run(tmp_path, "production", live)
    assert code == 0
    assert sets(calls[-1]) == [f"blueGreen.green.digest={S}", f"blueGreen.blue.digest={D}",
                               "blueGreen.active=blue"]


def test_failed_switch_switches_back(tmp_path: Path) -> None:
    live = {"api": [{"blueGreen": {"active": "blue", "blue": {"digest": S}}}]}
    code, calls, state = run(tmp_path, "production", live, fail_on="blueGreen.active=green")
    assert code == 1
    assert sets(calls[-1])[-1] == "blueGreen.active=blue"
    assert state["api"][-1]["blueGreen"] == {"active": "blue", "blue": {"digest": S},
                                            "green": {"digest": D}}


@pytest.mark.parametrize("environment", ["dev", "staging", "production"])
def test_every_environment_deploys_its_own_values_and_namespace(
    tmp_path: Path, environment: str
) -> None:
    namespace = {"dev": "printloop-dev", "staging": "printloop-staging",
                 "production": "printloop-prod"}[environment]
    code, calls, _ = run(tmp_path, environment)
    assert code == 0 and calls
    for call in calls:
        assert call[call.index("-n") + 1] == namespace
        assert call[call.index("-f") + 1] == f"generated/helm/api/values-{environment}.yaml"


def _values(call: list[str]) -> dict[str, Any]:
    """The `--set key.path=value` arguments of a helm call as nested values."""
    values: dict[str, Any] = {}
    for assignment in sets(call):
        key, _, value = assignment.partition("=")
        *parents, last = key.split(".")
        node = values
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return values


def _rendered(environment: str, call: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """What the real Helm SDK renders for that call: Deployment -> image, and the selector."""
    from tests.support.charts import render

    objects = render("api", environment, **_values(call))
    images = {o.name: o.body["spec"]["template"]["spec"]["containers"][0]["image"]
              for o in objects if o.kind == "Deployment"}
    [service] = [o for o in objects if o.kind == "Service"]
    return images, service.body["spec"]["selector"]


def test_each_canary_step_renders_what_it_means_with_real_helm(tmp_path: Path) -> None:
    code, calls, _ = run(tmp_path, "staging", {"api": [{"image": {"digest": S}}]})
    assert code == 0
    during, selector = _rendered("staging", calls[0])
    assert during == {"api": f"ghcr.io/printloop/api@{S}",
                      "api-canary": f"ghcr.io/printloop/api@{D}"}
    assert "pipelinegen.dev/track" not in selector  # the Service sends traffic to both
    promoted, _ = _rendered("staging", calls[1])
    assert promoted == {"api": f"ghcr.io/printloop/api@{D}"}


def test_each_blue_green_step_renders_what_it_means_with_real_helm(tmp_path: Path) -> None:
    live = {"api": [{"blueGreen": {"active": "blue", "blue": {"digest": S}}}]}
    code, calls, _ = run(tmp_path, "production", live)
    assert code == 0
    staged, selector = _rendered("production", calls[0])
    assert staged == {"api-blue": f"ghcr.io/printloop/api@{S}",
                      "api-green": f"ghcr.io/printloop/api@{D}"}
    assert selector["pipelinegen.dev/track"] == "blue"  # the new colour takes no traffic yet
    switched, selector = _rendered("production", calls[1])
    assert switched == staged
    assert selector["pipelinegen.dev/track"] == "green"


def prune_step(environment: str) -> dict[str, Any]:
    deploy = YAML(typ="safe").load(workflow_models.bundled()[".github/workflows/deploy.yml"])
    steps = deploy["jobs"][f"prune-{environment}"]["steps"]
    (step,) = [s for s in steps if s["name"].startswith("Uninstall")]
    return dict(step)


def prune(tmp_path: Path, environment: str, charts: dict[str, str]) -> tuple[int, str, list[str]]:
    step = prune_step(environment)
    assert step["shell"] == "bash"
    (tmp_path / "state.json").write_text(json.dumps({name: [{}] for name in charts}))
    (tmp_path / "charts.json").write_text(json.dumps(charts))
    log = tmp_path / "log.jsonl"
    env = {**os.environ, **step["env"], "PATH": f"{FAKES}{os.pathsep}{os.environ['PATH']}",
           "HELM_STATE": str(tmp_path / "state.json"), "HELM_LOG": str(log),
           "HELM_CHARTS": str(tmp_path / "charts.json")}
    script = tmp_path / "prune.sh"
    script.write_text(step["run"])
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                          env=env, capture_output=True, text=True, check=False)
    left = sorted(json.loads((tmp_path / "state.json").read_text()))
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert calls[0][:2] == ["list", "-n"]
    return done.returncode, done.stdout + done.stderr, left


def test_prune_uninstalls_only_removed_pipelinegen_releases(tmp_path: Path) -> None:
    code, output, left = prune(tmp_path, "production", {
        "api": "api-1.4.0+0123456789ab",           # in the model: kept
        "cache": "cache-0.1.0+0123456789ab",       # a backing service of the model: kept
        "billing": "billing-0.1.0+abcdef012345",   # pipelinegen's, no longer in the model
        "notifier": "notifier-2.0.0-rc.1+ffffffffffff",
        "postgres": "postgresql-15.5.0",           # someone else's chart: never touched
        "redis": "redis-18.1.0",                   # release named like its chart: not our version
        "web-old": "web-0.1.0+0123456789ab",       # chart not named like the release
    })
    assert code == 0, output
    assert left == ["api", "cache", "postgres", "redis", "web-old"]
    assert "uninstalling billing from printloop-prod" in output
    assert "2 release(s) uninstalled from printloop-prod" in output
    uninstalls = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()
                  if json.loads(line)[0] == "uninstall"]
    assert uninstalls == [["uninstall", name, "-n", "printloop-prod", "--wait", "--timeout", "10m"]
                          for name in ("billing", "notifier")]


def test_prune_with_nothing_installed_does_nothing(tmp_path: Path) -> None:
    code, output, left = prune(tmp_path, "dev", {})
    assert code == 0 and left == [], output
    assert "0 release(s) uninstalled from printloop-dev" in output


def test_a_failed_uninstall_fails_the_job(tmp_path: Path) -> None:
    fail_first = tmp_path / "bin"
    fail_first.mkdir()
    wrapper = fail_first / "helm"
    wrapper.write_text('#!/bin/sh\nif [ "$1" = uninstall ]; then echo "Error: timed out" >&2;'
                       f' exit 1; fi\nexec {FAKES / "helm"} "$@"\n')
    wrapper.chmod(0o755)
    step = prune_step("dev")
    (tmp_path / "state.json").write_text(json.dumps({"gone": [{}], "zeta": [{}]}))
    (tmp_path / "charts.json").write_text(json.dumps({"gone": "gone-0.1.0+0123456789ab",
                                                      "zeta": "zeta-0.1.0+0123456789ab"}))
    env = {**os.environ, **step["env"], "PATH": f"{fail_first}{os.pathsep}{os.environ['PATH']}",
           "HELM_STATE": str(tmp_path / "state.json"), "HELM_LOG": str(tmp_path / "log"),
           "HELM_CHARTS": str(tmp_path / "charts.json")}
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "timed out" in done.stderr
    assert "release(s) uninstalled" not in done.stdout  # stopped at the first failure


def test_prune_jobs_wait_for_the_same_approvals_and_keep_the_order() -> None:
    deploy = YAML(typ="safe").load(workflow_models.bundled()[".github/workflows/deploy.yml"])
    jobs = deploy["jobs"]
    for name in ("dev", "staging", "production"):
        assert jobs[f"prune-{name}"]["environment"] == jobs[f"deploy-{name}"]["environment"]
        assert jobs[f"prune-{name}"]["needs"] == [f"deploy-{name}"]
        assert "inputs.prune" in jobs[f"prune-{name}"]["if"]
    # Per environment: its backing services, then its services, then its removals.
    assert jobs["backing-dev"].get("needs") is None
    for name, before in (("staging", "dev"), ("production", "staging")):
        assert jobs[f"backing-{name}"]["needs"] == [f"prune-{before}"]
    for name in ("dev", "staging", "production"):
        assert jobs[f"deploy-{name}"]["needs"] == [f"backing-{name}"]
        assert jobs[f"backing-{name}"]["environment"] == name
    assert "inputs.services != '[]'" in jobs["deploy-dev"]["if"]
    assert deploy["on"]["workflow_dispatch"]["inputs"]["prune"]["type"] == "boolean"


def test_a_removal_alone_calls_the_deploys_to_prune() -> None:
    ci = YAML(typ="safe").load(workflow_models.bundled()[".github/workflows/ci.yml"])
    caller = ci["jobs"]["deploy"]
    assert "needs.changes.outputs.removed != '[]'" in caller["if"]
    assert caller["with"]["prune"] == "${{ needs.changes.outputs.removed != '[]' }}"
    assert ci["jobs"]["changes"]["outputs"]["removed"] == "${{ steps.affected.outputs.removed }}"


def test_the_backing_services_are_deployed_from_their_charts(tmp_path: Path) -> None:
    deploy = YAML(typ="safe").load(workflow_models.bundled()[".github/workflows/deploy.yml"])
    (step,) = [s for s in deploy["jobs"]["backing-staging"]["steps"]
               if s["name"] == "Deploy the backing services"]
    log = tmp_path / "log.jsonl"
    env = {**os.environ, **step["env"], "PATH": f"{FAKES}{os.pathsep}{os.environ['PATH']}",
           "HELM_STATE": str(tmp_path / "state.json"), "HELM_LOG": str(log)}
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert calls == [["upgrade", "--install", "cache", "generated/helm/cache", "-n",
                      "printloop-staging", "-f", "generated/helm/cache/values-staging.yaml",
                      "--wait", "--atomic", "--timeout", "10m"]]
    # The values file it names is one the chart has.
    assert (Path(__file__).parents[1] / "generated/helm/cache/values-staging.yaml").is_file()
