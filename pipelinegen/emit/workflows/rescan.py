"""`.github/workflows/rescan.yml`: re-scan what is deployed, on a schedule; open an issue.

A vulnerability published after a deploy is found only by scanning again. Once a day (the
model's cron), one job per environment reads each service's deployed digest from its Helm
release, scans it with the model's scanner and applies the environment's gate; a failure opens
an issue (or comments on the open one) naming service, environment and digest. It needs no
GitHub environment (an approval would hold a schedule forever): the cloud variables it reads
are the repository's.
"""

from __future__ import annotations

from pipelinegen.core import layout
from pipelinegen.core.inputs import Inputs
from pipelinegen.core.model import Environment
from pipelinegen.emit.workflows.ci import registry_login
from pipelinegen.emit.workflows.common import (
    Job,
    action,
    checkout,
    document,
    file_option,
    install_pipelinegen,
    permissions,
    step,
)
from pipelinegen.emit.workflows.scan import scanner_step

PATH = layout.RESCAN_WORKFLOW
DEPLOYED = "${{ steps.deployed.outputs.digest }}"
HAS_DIGEST = "steps.deployed.outputs.digest != ''"

# jq: the digest serving traffic, per strategy (the Helm values contract of rollout.py).
DIGEST_OF = {
    "rolling": ".image.digest // empty",
    "canary": ".image.digest // empty",
    "blue-green": '.blueGreen[.blueGreen.active // "blue"].digest // empty',
}

READ_SCRIPT = """\
values="$(helm get values "${SERVICE}" -n "${NAMESPACE}" -o json 2>/dev/null || echo '{}')"
digest="$(jq -r "${DIGEST_OF}" <<< "${values}")"
if [ -z "${digest}" ]; then
  echo "::notice::${SERVICE} is not deployed in ${NAMESPACE}"
fi
echo "digest=${digest}" >> "${GITHUB_OUTPUT}"
"""

ISSUE_SCRIPT = """\
title="Vulnerabilities in ${SERVICE} deployed to ${ENVIRONMENT}"
{
  echo "The scheduled re-scan of ${IMAGE}@${DIGEST} (${ENVIRONMENT}) fails the gate:"
  echo
  echo '```'
  cat "${RUNNER_TEMP}/gate.txt"
  echo '```'
  echo
  echo "Fix or upgrade the package and deploy, or add an exception with an owner, a reason"
  echo "and an expiry under project.vulnerabilities.exceptions. Run: ${RUN_URL}"
} > "${RUNNER_TEMP}/issue.md"
open="$(gh issue list --repo "${GITHUB_REPOSITORY}" --state open --search "in:title ${title}" \\
  --json number,title --jq "map(select(.title == \\"${title}\\")) | .[0].number // empty")"
if [ -n "${open}" ]; then
  gh issue comment "${open}" --repo "${GITHUB_REPOSITORY}" --body-file "${RUNNER_TEMP}/issue.md"
else
  gh issue create --repo "${GITHUB_REPOSITORY}" --title "${title}" \\
    --body-file "${RUNNER_TEMP}/issue.md"
fi
"""


def rescan_job(inputs: Inputs, env: Environment) -> Job:
    project = inputs.model.project
    cloud = project.cloud
    login, extra = registry_login(inputs)
    image = f"{project.registry}/${{{{ matrix.service }}}}"
    scan, report = scanner_step(inputs, f"{image}@{DEPLOYED}")
    only = {"if": HAS_DIGEST}
    scopes = permissions(contents="read", id_token="write", issues="write",
                         **({"packages": "read"} if not extra else {}))
    job: Job = {
        "name": f"rescan {env.name} (${{{{ matrix.service }}}})",
        "runs-on": project.ci.runner,
        "timeout-minutes": project.ci.deploy_minutes,
        **extra,
        "permissions": scopes,
        "strategy": {"fail-fast": False, "max-parallel": 4,
                     "matrix": {"service": sorted(inputs.model.services)}},
        "steps": [
            checkout(inputs),
            action(inputs, "Get cloud credentials (OIDC)", "aws-actions/configure-aws-credentials",
                   {"role-to-assume": f"${{{{ vars.{cloud.role_variable} }}}}",
                    "aws-region": f"${{{{ vars.{cloud.region_variable} }}}}"}),
            action(inputs, "Set up Helm", "azure/setup-helm", {"version": cloud.helm_version}),
            login,
            step("Connect to the cluster", env={
                "CLUSTER": f"${{{{ vars.{cloud.cluster_variable} }}}}",
                "REGION": f"${{{{ vars.{cloud.region_variable} }}}}",
            }, run='aws eks update-kubeconfig --name "${CLUSTER}" --region "${REGION}"'),
            step("Read the deployed digest", id="deployed", shell="bash", env={
                "SERVICE": "${{ matrix.service }}", "NAMESPACE": env.namespace,
                "DIGEST_OF": DIGEST_OF[env.strategy],
            }, run=READ_SCRIPT),
            *[{**s, **only} for s in install_pipelinegen(inputs)],
            {**scan, **only},
            step("Gate on vulnerabilities", id="gate", shell="bash", **only, env={
                "SERVICE": "${{ matrix.service }}", "REPORT": report,
            }, run=f'pipelinegen vuln-gate{file_option(inputs)} --service "${{SERVICE}}"'
                   f' --environment {env.name} --report "${{REPORT}}"'
                   ' | tee "${RUNNER_TEMP}/gate.txt"\n'),
            step("Open an issue for the findings",
                 **{"if": "failure() && steps.gate.outcome == 'failure'"}, shell="bash", env={
                     "GH_TOKEN": "${{ github.token }}",
                     "SERVICE": "${{ matrix.service }}",
                     "ENVIRONMENT": env.name,
                     "IMAGE": image,
                     "DIGEST": DEPLOYED,
                     "RUN_URL": "${{ github.server_url }}/${{ github.repository }}"
                                "/actions/runs/${{ github.run_id }}",
                 }, run=ISSUE_SCRIPT),
        ],
    }
    return job


def emit(inputs: Inputs) -> dict[str, str]:
    cron = inputs.model.project.vulnerabilities.rescan
    on = {"schedule": [{"cron": cron}], "workflow_dispatch": None}
    jobs = {f"rescan-{env.name}": rescan_job(inputs, env)
            for env in inputs.model.project.environments}
    # One re-scan at a time; a slow one is not cancelled by the next.
    concurrency = {"group": "${{ github.workflow }}", "cancel-in-progress": False}
    return {PATH: document(inputs, "rescan", on, jobs, concurrency)}
