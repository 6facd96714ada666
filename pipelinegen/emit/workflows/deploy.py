"""`.github/workflows/deploy.yml`: deploy services through the environments, in order.

Called by ci.yml once the gate passed on the default branch (a reusable workflow, so no
`workflow_run` trigger is needed), or run by hand (workflow_dispatch) with a list of services.
One job per environment, each a matrix over the services; a job waits for the one before it,
and an environment with `approval: true` is a protected GitHub environment whose reviewers
(configured in the repository settings) must approve its job. Cloud credentials come from OIDC:
`id-token: write` is granted to these jobs only.
"""

from __future__ import annotations

from pipelinegen.emit.workflows import lifecycle
from pipelinegen.emit.workflows.ci import registry_login
from pipelinegen.emit.workflows.common import (
    Job,
    action,
    checkout,
    document,
    install_pipelinegen,
    permissions,
    step,
)
from pipelinegen.emit.workflows.rollout import SCRIPTS
from pipelinegen.emit.workflows.scan import scan_steps
from pipelinegen.emit.workflows.verify import verify_steps
from pipelinegen.inputs import Inputs
from pipelinegen.model import Environment

PATH = ".github/workflows/deploy.yml"
SERVICES_INPUT = {
    "description": 'Services to deploy, as a JSON list, e.g. ["api", "web"]',
    "required": True,
    "type": "string",
}


def resolve_script(inputs: Inputs) -> str:
    names = "|".join(sorted(inputs.model.services))
    return (
        'case "${SERVICE}" in\n'
        f"  {names}) ;;\n"
        '  *) echo "::error::unknown service ${SERVICE}"; exit 1 ;;\n'
        "esac\n"
        'digest="$(docker buildx imagetools inspect "${IMAGE}:${GITHUB_SHA}"'
        " --format '{{json .Manifest}}' | jq -r .digest)\"\n"
        'if [ -z "${digest}" ] || [ "${digest}" = null ]; then\n'
        '  echo "::error::no image ${IMAGE}:${GITHUB_SHA}: did CI publish this commit?"\n'
        "  exit 1\n"
        "fi\n"
        'echo "digest=${digest}" >> "${GITHUB_OUTPUT}"\n'
    )


def environment_job(inputs: Inputs, env: Environment, previous: str | None) -> Job:
    project = inputs.model.project
    cloud = project.cloud
    login, extra = registry_login(inputs)
    job: Job = {"name": f"{env.name} (${{{{ matrix.service }}}})"}
    if previous:
        job["needs"] = [previous]
    job |= {
        "if": f"github.ref == 'refs/heads/{project.default_branch}'",
        "runs-on": project.ci.runner,
        "timeout-minutes": project.ci.deploy_minutes,
        "environment": env.name,
        "permissions": permissions(contents="read", id_token="write",
                                   **({"packages": "read"} if not extra else {})),
        "concurrency": {"group": f"deploy-{env.name}-${{{{ matrix.service }}}}",
                        "cancel-in-progress": False},
        "strategy": {"fail-fast": False, "max-parallel": 4,
                     "matrix": {"service": "${{ fromJSON(inputs.services) }}"}},
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
            step("Find the image digest", id="image", shell="bash", env={
                "SERVICE": "${{ matrix.service }}",
                "IMAGE": f"{project.registry}/${{{{ matrix.service }}}}",
            }, run=resolve_script(inputs)),
            *verify_steps(inputs, f"{project.registry}/${{{{ matrix.service }}}}",
                          "${{ steps.image.outputs.digest }}"),
            # Scanned again here, with today's vulnerability data and this environment's gate.
            *install_pipelinegen(inputs),
            *scan_steps(inputs, f"{project.registry}/${{{{ matrix.service }}}}"
                        "@${{ steps.image.outputs.digest }}", env.name,
                        {"SERVICE": "${{ matrix.service }}"}),
            *lifecycle.before(env),
            step(f"Roll out ({env.strategy})", shell="bash", env={
                "SERVICE": "${{ matrix.service }}",
                "NAMESPACE": env.namespace,
                "ENVIRONMENT": env.name,
                "DIGEST": "${{ steps.image.outputs.digest }}",
            }, run=SCRIPTS[env.strategy]),
            *lifecycle.after(env, "${{ steps.image.outputs.digest }}"),
        ],
    }
    return job


def emit(inputs: Inputs) -> dict[str, str]:
    on = {"workflow_call": {"inputs": {"services": SERVICES_INPUT}},
          "workflow_dispatch": {"inputs": {"services": SERVICES_INPUT}}}
    jobs: dict[str, Job] = {}
    previous: str | None = None
    for env in inputs.model.project.environments:
        job_id = f"deploy-{env.name}"
        jobs[job_id] = environment_job(inputs, env, previous)
        previous = job_id
    return {PATH: document(inputs, "deploy", on, jobs)}
