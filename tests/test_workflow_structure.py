"""Supply-chain and design rules of the generated workflows, checked on their parsed YAML."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.support import workflow_models

Flows = dict[str, Any]


@pytest.fixture(params=["bundled", "variant"])
def flows(request: pytest.FixtureRequest, tmp_path: Path) -> Flows:
    files = (workflow_models.bundled() if request.param == "bundled"
             else workflow_models.variant(tmp_path))
    return {Path(path).name: YAML(typ="safe").load(text) for path, text in files.items()}


def jobs(flows: Flows) -> list[tuple[str, str, dict[str, Any]]]:
    return [(name, job_id, job) for name, flow in flows.items()
            for job_id, job in flow["jobs"].items()]


def test_top_level_permissions_are_empty_and_every_job_declares_its_own(flows: Flows) -> None:
    for name, flow in flows.items():
        assert flow["permissions"] == {}, name
        assert "name" in flow
        assert not {"pull_request_target", "workflow_run"} & set(flow["on"])
    for _, job_id, job in jobs(flows):
        assert "permissions" in job, job_id


def test_no_expression_inside_run_and_checkout_keeps_no_credentials(flows: Flows) -> None:
    for _, job_id, job in jobs(flows):
        for step in job.get("steps", []):
            assert "${{" not in step.get("run", ""), (job_id, step["name"])
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


def test_id_token_only_in_deploy_jobs_and_publish(flows: Flows) -> None:
    writers = {(name, job_id) for name, job_id, job in jobs(flows)
               if job["permissions"].get("id-token") == "write"}
    deploy_jobs = {("deploy.yml", job_id) for job_id in flows["deploy.yml"]["jobs"]}
    # publish signs and attests keylessly: its OIDC token is the signing identity.
    rescan_jobs = {("rescan.yml", job_id) for job_id in flows["rescan.yml"]["jobs"]}
    assert writers == deploy_jobs | rescan_jobs | {("ci.yml", "deploy"), ("ci.yml", "publish")}
    attesters = {(name, job_id) for name, job_id, job in jobs(flows)
                 if "attestations" in job["permissions"]}
    assert attesters == {("ci.yml", "publish")}


def test_secrets_only_in_jobs_with_an_environment(flows: Flows) -> None:
    for _, job_id, job in jobs(flows):
        if "secrets." in str(job):
            assert "environment" in job, job_id
        assert job.get("secrets") != "inherit"


def test_deploys_go_through_the_environments_in_order(flows: Flows) -> None:
    deploy = flows["deploy.yml"]
    assert {"workflow_call", "workflow_dispatch"} <= set(deploy["on"])
    ids = list(deploy["jobs"])
    for previous, job_id in pairwise(ids):
        assert deploy["jobs"][job_id]["needs"] == [previous]
    for job_id, job in deploy["jobs"].items():
        # Each environment's backing services, its deploy, then its removal of old releases,
        # under the same name.
        assert job["environment"] == (job_id.removeprefix("backing-").removeprefix("deploy-")
                                      .removeprefix("prune-"))
        assert any("configure-aws-credentials" in s.get("uses", "") for s in job["steps"])
        assert job["concurrency"]["cancel-in-progress"] is False
    caller = flows["ci.yml"]["jobs"]["deploy"]
    assert caller["uses"] == "$/.github/workflows/deploy.yml"
    (gate,) = set(caller["needs"]) - {"changes"}
    assert f"needs.{gate}.result == 'success'" in caller["if"]


def test_ci_builds_only_affected_services_and_publishes_only_from_the_default_branch(
    flows: Flows,
) -> None:
    ci = flows["ci.yml"]
    assert set(ci["on"]) == {"pull_request", "push", "merge_group"}
    changes = ci["jobs"]["changes"]
    assert "pipelinegen affected" in changes["steps"][-1]["run"]
    assert changes["steps"][0]["with"]["fetch-depth"] == 0
    for job_id in ("build", "publish"):
        matrix = ci["jobs"][job_id]["strategy"]["matrix"]
        assert matrix == {"include": "${{ fromJSON(needs.changes.outputs.chunk-1) }}"}
    publish = ci["jobs"]["publish"]
    assert publish["if"].startswith("github.event_name == 'push' && github.ref == 'refs/heads/")
    build_steps = {step["name"]: step for step in ci["jobs"]["build"]["steps"]}
    assert build_steps["Build the image"]["with"]["cache-to"].startswith("type=gha")
    labels = build_steps["Build the image"]["with"]["build-args"].splitlines()
    assert labels[0] == "REVISION=${{ github.sha }}"  # the images' OCI labels
    assert labels[1] == "VERSION=${{ matrix.app_version }}"  # from the leg (matrix.py)
    assert "pipelinegen vuln-gate" in build_steps["Gate on vulnerabilities"]["run"]
    assert "pipelinegen image-size" in build_steps["Check the image size budget"]["run"]
    assert ci["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


def test_publish_pushes_the_very_image_that_was_checked(flows: Flows) -> None:
    jobs = flows["ci.yml"]["jobs"]
    names = [step["name"] for step in jobs["build"]["steps"]]
    checks = ["Build the image", "Check the image size budget", "Write the SBOM",
              "Scan for vulnerabilities", "Save the checked image", "Hand the image to publish"]
    assert [name for name in names if name in checks] == checks  # handed on only after checks
    build = {step["name"]: step for step in jobs["build"]["steps"]}
    for name in checks[-2:]:  # only a push to the default branch hands the image on
        assert build[name]["if"] == jobs["publish"]["if"].split(" && needs.")[0]
    handed = build["Hand the image to publish"]["with"]
    publish = jobs["publish"]["steps"]
    taken = next(step for step in publish if "download-artifact" in step.get("uses", ""))
    assert taken["with"]["name"] == handed["name"] == "image-${{ matrix.service }}"
    assert not any("build-push-action" in step.get("uses", "") for step in publish)  # no rebuild
    push = next(step for step in publish if step["name"] == "Push the image")["run"]
    assert 'docker load --input "${RUNNER_TEMP}/image.tar"' in push
    assert 'docker push "${IMAGE}"' in push


def test_every_image_is_gated_by_the_models_rule_before_it_moves_on(flows: Flows) -> None:
    """Build gates the local image; each deploy re-scans the digest it rolls out with its own
    environment's threshold, after verifying it and before rolling out."""
    build = [s["name"] for s in flows["ci.yml"]["jobs"]["build"]["steps"]]
    assert build.index("Gate on vulnerabilities") < build.index("Save the checked image")
    for job_id, job in flows["deploy.yml"]["jobs"].items():
        if not job_id.startswith("deploy-"):
            continue  # prune-<env>: uninstalls removed services, deploys nothing
        names = [s["name"] for s in job["steps"]]
        gate = names.index("Gate on vulnerabilities")
        assert names.index("Verify the signature and provenance") < gate
        assert gate < next(i for i, n in enumerate(names) if n.startswith("Roll out"))
        steps = {s["name"]: s for s in job["steps"]}
        scanned = steps["Scan for vulnerabilities"]["with"]
        assert (scanned.get("image") or scanned["image-ref"]).endswith(
            "@${{ steps.image.outputs.digest }}")
        environment = job_id.removeprefix("deploy-")
        assert f'--environment "{environment}"' in steps["Gate on vulnerabilities"]["run"]
    for job in flows["rescan.yml"]["jobs"].values():
        assert "environment" not in job or job["environment"] == "registry"  # no approval wait
    assert flows["rescan.yml"]["on"]["schedule"] == [{"cron": "17 5 * * *"}]
