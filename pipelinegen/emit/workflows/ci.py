"""`.github/workflows/ci.yml`: affected-only builds behind one required gate, then deploys.

Jobs: `changes` (runs `pipelinegen affected`), `build` (a matrix over the affected services:
tests, image build with layer cache, size budget, SBOM, vulnerability scan; on the default
branch it hands the scanned image on as an artifact), `publish` (the default branch only: push
exactly that image; the deploys look it up by digest), the gate (the single
required status check) and `deploy` (calls deploy.yml once the gate passed on the default
branch). No workflow-level path filter: a required check must run on every pull request.
"""

from __future__ import annotations

from typing import Any

from pipelinegen.core import layout
from pipelinegen.core.inputs import Inputs
from pipelinegen.emit.workflows import budget, matrix, scan, supply, toolchains
from pipelinegen.emit.workflows.common import (
    NONE_AFFECTED,
    Job,
    Step,
    action,
    checkout,
    document,
    file_option,
    install_pipelinegen,
    permissions,
    step,
)

PATH = layout.CI_WORKFLOW


def on_default_branch(inputs: Inputs) -> str:
    branch = inputs.model.project.default_branch
    return f"github.event_name == 'push' && github.ref == 'refs/heads/{branch}'"


def image_env(inputs: Inputs) -> dict[str, str]:
    """SERVICE and IMAGE (<registry>/<service>:<commit>) for a matrix leg."""
    return {
        "SERVICE": "${{ matrix.service }}",
        "IMAGE": f"{inputs.model.project.registry}/${{{{ matrix.service }}}}:${{{{ github.sha }}}}",
    }


def chunk_suffix(inputs: Inputs, index: int) -> str:
    """`` for the one build job of a model of at most 256 services, else `-<index>`."""
    return "" if matrix.chunk_count(inputs.model) == 1 else f"-{index}"


def chunk(index: int) -> str:
    """The expression of the `changes` job's output holding chunk `index`."""
    return f"needs.changes.outputs.{matrix.chunk_output(index)}"


def strategy(index: int) -> dict[str, Any]:
    return {"fail-fast": False, "matrix": {"include": f"${{{{ fromJSON({chunk(index)}) }}}}"}}


def changes_job(inputs: Inputs) -> Job:
    script = (
        'case "${EVENT}" in\n'
        '  pull_request) base="${PR_BASE}" ;;\n'
        '  merge_group) base="${GROUP_BASE}" ;;\n'
        '  *) base="${BEFORE}" ;;\n'
        "esac\n"
        f'services="$(pipelinegen affected{file_option(inputs)} --base "${{base}}"'
        ' --format json)"\n'
        'echo "Affected services: ${services}"\n'
        'echo "services=${services}" >> "${GITHUB_OUTPUT}"\n'
        # Of those, the ones to rebuild; the others changed only deploy settings and deploy the
        # image running now.
        f'build="$(pipelinegen affected{file_option(inputs)} --base "${{base}}" --only build'
        ' --format json)"\n'
        f'redeploy="$(pipelinegen affected{file_option(inputs)} --base "${{base}}"'
        ' --only deploy-only --format json)"\n'
        'echo "To rebuild: ${build}; to deploy again as they run: ${redeploy}"\n'
        '{\n'
        '  echo "build=${build}"\n'
        '  echo "redeploy=${redeploy}"\n'
        # The matrix entries of those to rebuild, in chunks of at most 256 (GitHub's limit).
        f'  pipelinegen affected{file_option(inputs)} --base "${{base}}" --only build'
        ' --format matrix\n'
        '} >> "${GITHUB_OUTPUT}"\n'
        # Services the change removes: their releases are uninstalled by the deploy.
        f'removed="$(pipelinegen affected{file_option(inputs)} --base "${{base}}" --only removed'
        ' --format json)"\n'
        'echo "Removed services: ${removed}"\n'
        'echo "removed=${removed}" >> "${GITHUB_OUTPUT}"\n'
    )
    return {
        "name": "changes",
        "runs-on": inputs.model.project.ci.runner,
        "timeout-minutes": budget.ci_minutes(inputs.model.project.ci, "changes"),
        "permissions": permissions(contents="read"),
        "outputs": {"services": "${{ steps.affected.outputs.services }}",
                    "build": "${{ steps.affected.outputs.build }}",
                    "redeploy": "${{ steps.affected.outputs.redeploy }}",
                    "removed": "${{ steps.affected.outputs.removed }}",
                    **{matrix.chunk_output(i): f"${{{{ steps.affected.outputs."
                                               f"{matrix.chunk_output(i)} }}}}"
                       for i in range(1, matrix.chunk_count(inputs.model) + 1)}},
        "steps": [
            checkout(inputs, **{"fetch-depth": 0}),
            *install_pipelinegen(inputs),
            # Stale generated files would build stale images: the gate fails on drift too.
            step("Check the generated files are up to date",
                 run=f"pipelinegen check{file_option(inputs)}"),
            step("Work out the affected services", id="affected", env={
                "EVENT": "${{ github.event_name }}",
                "PR_BASE": "${{ github.event.pull_request.base.sha }}",
                "GROUP_BASE": "${{ github.event.merge_group.base_sha }}",
                "BEFORE": "${{ github.event.before }}",
            }, run=script),
        ],
    }


def image_build(inputs: Inputs) -> Step:
    """BuildKit build with the GitHub Actions layer cache, loaded for the checks that follow."""
    return action(inputs, "Build the image", "docker/build-push-action", {
        "context": "${{ matrix.context }}", "file": "${{ matrix.dockerfile }}",
        "load": True, "push": False,
        "tags": "${{ env.IMAGE }}",
        # The OCI labels of the generated Dockerfiles: which commit and version this image is.
        "build-args": "REVISION=${{ github.sha }}\nVERSION=${{ matrix.app_version }}\n",
        "cache-from": "type=gha,scope=${{ matrix.service }}",
        "cache-to": "type=gha,mode=max,scope=${{ matrix.service }}",
    })


IMAGE_ARTIFACT = "image-${{ matrix.service }}"
IMAGE_TAR = "${{ runner.temp }}/image.tar"


def hand_on_image(inputs: Inputs) -> list[Step]:
    """On the default branch: the image that passed the checks, for `publish` to push as is."""
    only_publishing = {"if": on_default_branch(inputs)}
    return [
        step("Save the checked image", **only_publishing,
             run='docker save "${IMAGE}" --output "${RUNNER_TEMP}/image.tar"'),
        action(inputs, "Hand the image to publish", "actions/upload-artifact", {
            "name": IMAGE_ARTIFACT, "path": f"{IMAGE_TAR}\n{supply.SBOM_FILE}\n",
            "retention-days": 1,
            "if-no-files-found": "error",
        }, **only_publishing),
    ]


def build_job(inputs: Inputs, index: int) -> Job:
    return {
        "name": f"build{chunk_suffix(inputs, index)} (${{{{ matrix.service }}}})",
        "needs": ["changes"],
        "if": f"{chunk(index)} != {NONE_AFFECTED}",
        "runs-on": inputs.model.project.ci.runner,
        "timeout-minutes": budget.ci_minutes(inputs.model.project.ci, "build"),
        "permissions": permissions(contents="read"),
        "strategy": strategy(index),
        "env": image_env(inputs),
        "steps": [
            checkout(inputs),
            *toolchains.setup_steps(inputs),
            *toolchains.test_steps(inputs),
            *install_pipelinegen(inputs),
            action(inputs, "Set up BuildKit", "docker/setup-buildx-action"),
            image_build(inputs),
            step("Check the image size budget",
                 run=f'pipelinegen image-size{file_option(inputs)} --service "${{SERVICE}}"'
                 ' --image "${IMAGE}"'),
            action(inputs, "Write the SBOM", "anchore/sbom-action", {
                "image": "${{ env.IMAGE }}",
                "format": "cyclonedx-json",
                "artifact-name": "sbom-${{ matrix.service }}.cdx.json",
                "output-file": supply.SBOM_FILE,
            }),
            *scan.scan_steps(inputs, "${{ env.IMAGE }}"),
            *hand_on_image(inputs),
        ],
    }


def registry_login(inputs: Inputs) -> tuple[Step, dict[str, Any]]:
    """The login step and what the job needs for it: GITHUB_TOKEN for ghcr.io, else secrets."""
    host = inputs.model.project.registry.split("/")[0]
    if host == "ghcr.io":
        return action(inputs, "Log in to the registry", "docker/login-action", {
            "registry": host, "username": "${{ github.actor }}", "password": "${{ github.token }}",
        }), {}
    # Other registries need credentials: secrets, so a job environment (named "registry").
    return action(inputs, "Log in to the registry", "docker/login-action", {
        "registry": host,
        "username": "${{ vars.REGISTRY_USERNAME }}",
        "password": "${{ secrets.REGISTRY_PASSWORD }}",
    }), {"environment": "registry"}


def publish_job(inputs: Inputs, index: int) -> Job:
    login, extra = registry_login(inputs)
    suffix = chunk_suffix(inputs, index)
    return {
        "name": f"publish{suffix} (${{{{ matrix.service }}}})",
        "needs": ["changes", f"build{suffix}"],
        "if": f"{on_default_branch(inputs)} && {chunk(index)} != {NONE_AFFECTED}",
        "runs-on": inputs.model.project.ci.runner,
        "timeout-minutes": budget.ci_minutes(inputs.model.project.ci, "publish"),
        **extra,
        "permissions": supply.publish_permissions(registry_token=not extra),
        "strategy": strategy(index),
        "env": image_env(inputs),
        "steps": [
            # The image the build job tested, sized and scanned, byte for byte: no rebuild.
            action(inputs, "Take the checked image", "actions/download-artifact",
                   {"name": IMAGE_ARTIFACT, "path": "${{ runner.temp }}"}),
            login,
            step("Push the image", id=supply.PUSH_ID, run=PUSH_SCRIPT),
            *supply.sign_and_attest(inputs),
        ],
    }


PUSH_SCRIPT = """\
docker load --input "${RUNNER_TEMP}/image.tar"
docker push "${IMAGE}"
pushed="$(docker image inspect --format '{{index .RepoDigests 0}}' "${IMAGE}")"
echo "Pushed ${pushed}" >> "${GITHUB_STEP_SUMMARY}"
echo "digest=${pushed#*@}" >> "${GITHUB_OUTPUT}"
"""


# Shell: each needed job's result must be success, or a skip the workflow intends.
GATE_SCRIPT = """\
failed=0
expect() {
  # expect JOB RESULT SKIP_INTENDED
  if [ "${2}" = success ] || { [ "${2}" = skipped ] && [ "${3}" = yes ]; }; then
    echo "${1}: ${2}"
  else
    echo "::error::${1} ended with ${2}"
    failed=1
  fi
}
publishing=no
if [ "${EVENT}" = push ] && [ "${REF}" = "refs/heads/${DEFAULT_BRANCH}" ]; then publishing=yes; fi
chunk() {
  # chunk SUFFIX SERVICES BUILD PUBLISH: a chunk's jobs may skip when it holds no service
  none=no
  if [ "${2}" = "[]" ]; then none=yes; fi
  quiet=no
  if [ "${none}" = yes ] || [ "${publishing}" = no ]; then quiet=yes; fi
  expect "build${1}" "${3}" "${none}"
  expect "publish${1}" "${4}" "${quiet}"
}
expect changes "${CHANGES}" no
"""


def gate_script(inputs: Inputs) -> str:
    lines = [f'chunk "{chunk_suffix(inputs, i)}" "${{SERVICES{_env(inputs, i)}}}"'
             f' "${{BUILD{_env(inputs, i)}}}" "${{PUBLISH{_env(inputs, i)}}}"\n'
             for i in range(1, matrix.chunk_count(inputs.model) + 1)]
    return GATE_SCRIPT + "".join(lines) + 'exit "${failed}"\n'


def _env(inputs: Inputs, index: int) -> str:
    """The suffix of a chunk's variables in the gate step: none for one chunk, else _<index>."""
    return chunk_suffix(inputs, index).replace("-", "_")


def chunks(inputs: Inputs) -> range:
    return range(1, matrix.chunk_count(inputs.model) + 1)


# Shell: the summary's table of this run's jobs and how long each took, and the run so far.
DURATIONS_SCRIPT = """\
run="repos/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}"
rows="$(gh api --paginate "${run}/attempts/${GITHUB_RUN_ATTEMPT}/jobs" --jq "${ROWS}")"
started="$(gh api "${run}" --jq .run_started_at)"
elapsed=$(( $(date +%s) - $(date -d "${started}" +%s) ))
{
  echo "| job | result | duration |"
  echo "| --- | --- | ---: |"
  echo "${rows}"
  echo
  echo "Run so far: $(( elapsed / 60 ))m $(( elapsed % 60 ))s of a ${BUDGET_MINUTES}-minute budget"
} >> "${GITHUB_STEP_SUMMARY}"
if [ "${elapsed}" -gt $(( BUDGET_MINUTES * 60 )) ]; then
  echo "::warning::this run took longer than its ${BUDGET_MINUTES}-minute budget"
fi
"""
# jq: one Markdown row per finished job (the gate itself is still running).
DURATION_ROWS = (
    '.jobs[] | select(.started_at != null and .completed_at != null)'
    ' | ((.completed_at | fromdateiso8601) - (.started_at | fromdateiso8601)) as $s'
    ' | "| \\(.name) | \\(.conclusion) | \\($s / 60 | floor)m \\($s % 60)s |"'
)


def gate_job(inputs: Inputs) -> Job:
    """The single required check: runs whatever happened before it, fails unless all is well."""
    gate = inputs.model.project.gate_job
    ci = inputs.model.project.ci
    return {
        "name": gate,
        "needs": ["changes", *(f"{job}{chunk_suffix(inputs, i)}"
                               for i in chunks(inputs) for job in ("build", "publish"))],
        "if": "always()",
        "runs-on": ci.runner,
        "timeout-minutes": budget.ci_minutes(ci, "gate"),
        "permissions": permissions(actions="read"),
        "steps": [
            step("Check the results of every job", env={
                "EVENT": "${{ github.event_name }}",
                "REF": "${{ github.ref }}",
                "DEFAULT_BRANCH": inputs.model.project.default_branch,
                "CHANGES": "${{ needs.changes.result }}",
                **{name: value for i in chunks(inputs) for name, value in (
                    (f"SERVICES{_env(inputs, i)}", f"${{{{ {chunk(i)} }}}}"),
                    (f"BUILD{_env(inputs, i)}",
                     f"${{{{ needs.build{chunk_suffix(inputs, i)}.result }}}}"),
                    (f"PUBLISH{_env(inputs, i)}",
                     f"${{{{ needs.publish{chunk_suffix(inputs, i)}.result }}}}"))},
            }, run=gate_script(inputs)),
            # Information only: a failing API call must not turn the verdict.
            step("List each job's duration", **{"if": "always()", "continue-on-error": True},
                 env={"GH_TOKEN": "${{ github.token }}", "ROWS": DURATION_ROWS,
                      "BUDGET_MINUTES": str(ci.budget_minutes)},
                 run=DURATIONS_SCRIPT),
        ],
    }


def deploy_job(inputs: Inputs) -> Job:
    """Hands the affected services to deploy.yml once the gate passed on the default branch."""
    gate = inputs.model.project.gate_job
    _, extra = registry_login(inputs)  # the deploy jobs read ghcr.io with GITHUB_TOKEN only
    return {
        "name": "deploy",
        "needs": ["changes", gate],
        "if": f"{on_default_branch(inputs)} && needs.{gate}.result == 'success'"
              f" && (needs.changes.outputs.services != {NONE_AFFECTED}"
              f" || needs.changes.outputs.removed != {NONE_AFFECTED})",
        "permissions": permissions(contents="read", id_token="write",
                                   **({"packages": "read"} if not extra else {})),
        # `$/` names this repository at this commit (GitHub's self-repository form).
        "uses": "$/.github/workflows/deploy.yml",
        "with": {"services": "${{ needs.changes.outputs.services }}",
                 "redeploy": "${{ needs.changes.outputs.redeploy }}",
                 "prune": f"${{{{ needs.changes.outputs.removed != {NONE_AFFECTED} }}}}"},
    }


def emit(inputs: Inputs) -> dict[str, str]:
    branch = inputs.model.project.default_branch
    on = {"pull_request": None, "push": {"branches": [branch]}, "merge_group": None}
    gate = inputs.model.project.gate_job
    jobs = {"changes": changes_job(inputs)}
    for i in chunks(inputs):
        jobs[f"build{chunk_suffix(inputs, i)}"] = build_job(inputs, i)
    for i in chunks(inputs):
        jobs[f"publish{chunk_suffix(inputs, i)}"] = publish_job(inputs, i)
    jobs |= {gate: gate_job(inputs), "deploy": deploy_job(inputs)}
    concurrency = {
        # Pull requests share a group per PR (a new push cancels the old run); pushes and
        # merge groups get one group per commit, so no deploy is ever cancelled.
        "group": "${{ github.workflow }}-${{ github.event.pull_request.number || github.sha }}",
        "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
    }
    return {PATH: document(inputs, "ci", on, jobs, concurrency)}
