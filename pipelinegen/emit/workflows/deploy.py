"""`.github/workflows/deploy.yml`: deploy services through the environments, in order.

Called by ci.yml once the gate passed on the default branch (a reusable workflow, so no
`workflow_run` trigger is needed), or run by hand (workflow_dispatch) with a list of services.
One job per environment, each a matrix over the services; a job waits for the one before it,
and an environment with `approval: true` is a protected GitHub environment whose reviewers
(configured in the repository settings) must approve its job. Cloud credentials come from OIDC:
`id-token: write` is granted to these jobs only.
"""

from __future__ import annotations

from pipelinegen.core import layout
from pipelinegen.core.inputs import Inputs
from pipelinegen.core.model import Environment
from pipelinegen.emit.workflows import lifecycle
from pipelinegen.emit.workflows.ci import registry_login
from pipelinegen.emit.workflows.common import (
    Job,
    Step,
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

PATH = layout.DEPLOY_WORKFLOW
SERVICES_INPUT = {
    "description": 'Services to deploy, as a JSON list, e.g. ["api", "web"]',
    "required": True,
    "type": "string",
}
REDEPLOY_INPUT = {
    "description": "Of those, the services to deploy with the image they run now (only their"
                   " deploy settings changed), as a JSON list",
    "required": False,
    "type": "string",
    "default": "[]",
}
PRUNE_INPUT = {
    "description": "Also uninstall the releases of services that services.yaml no longer has",
    "required": False,
    "type": "boolean",
    "default": False,
}
# Still runs when the job before it was skipped (nothing to deploy, only releases to remove).
AFTER_PREVIOUS = "!failure() && !cancelled()"


def prune_script(inputs: Inputs) -> str:
    """Uninstall every release pipelinegen installed here whose service the model no longer has.
    pipelinegen's releases are known by their chart: named like the release and versioned
    `<app_version>+<12 hex>` (see emit/helm), which charts from elsewhere are not. Backing
    services' releases are kept too (their charts are versioned the same way)."""
    keep = " ".join(sorted([*inputs.model.services, *inputs.model.backing]))
    return (
        f'keep=" {keep} "\n'
        'listed="$(helm list -n "${NAMESPACE}" --all -o json \\\n'
        '  | jq -r \'.[] | "\\(.name) \\(.chart)"\')"\n'
        "removed=0\n"
        'while read -r name chart; do\n'
        '  [ -n "${name}" ] || continue\n'
        '  semver="[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?"\n'
        '  if [[ ! "${chart}" =~ ^${name}-${semver}\\+[0-9a-f]{12}$ ]]; then\n'
        '    echo "${name}: ${chart} is not a pipelinegen chart; left alone"\n'
        "    continue\n"
        "  fi\n"
        '  case "${keep}" in *" ${name} "*) continue ;; esac\n'
        '  echo "::notice::uninstalling ${name} from ${NAMESPACE}:'
        ' services.yaml no longer has it"\n'
        '  helm uninstall "${name}" -n "${NAMESPACE}" --wait --timeout 10m\n'
        "  removed=$((removed + 1))\n"
        'done <<< "${listed}"\n'
        'echo "${removed} release(s) uninstalled from ${NAMESPACE}"\n'
    )


def resolve_script(inputs: Inputs) -> str:
    names = "|".join(sorted(inputs.model.services))
    return (
        'case "${SERVICE}" in\n'
        f"  {names}) ;;\n"
        '  *) echo "::error::unknown service ${SERVICE}"; exit 1 ;;\n'
        "esac\n"
        # Deploy settings only: no image was built for this commit; deploy the running one.
        'if jq -e --arg s "${SERVICE}" \'any(.[]; . == $s)\' <<< "${REDEPLOY}" > /dev/null; then\n'
        '  running="$(helm get values "${SERVICE}" -n "${NAMESPACE}" -o json)"\n'
        '  digest="$(jq -r \'(.blueGreen[.blueGreen.active // "blue"].digest // "")'
        ' as $live | if $live != "" then $live else (.image.digest // "") end\''
        ' <<< "${running}")"\n'
        '  if [ -z "${digest}" ]; then\n'
        '    echo "::error::${SERVICE} runs no image by digest in ${NAMESPACE}: deploy it with a'
        ' build (change its code or run the deploy by hand)"\n'
        "    exit 1\n"
        "  fi\n"
        '  echo "Only deploy settings changed: deploying the running ${digest}, no rebuild"\n'
        '  echo "digest=${digest}" >> "${GITHUB_OUTPUT}"\n'
        "  exit 0\n"
        "fi\n"
        'digest="$(docker buildx imagetools inspect "${IMAGE}:${GITHUB_SHA}"'
        " --format '{{json .Manifest}}' | jq -r .digest)\"\n"
        'if [ -z "${digest}" ] || [ "${digest}" = null ]; then\n'
        '  echo "::error::no image ${IMAGE}:${GITHUB_SHA}: did CI publish this commit?"\n'
        "  exit 1\n"
        "fi\n"
        'echo "digest=${digest}" >> "${GITHUB_OUTPUT}"\n'
    )


def cluster_steps(inputs: Inputs) -> list[Step]:
    """OIDC credentials, Helm and the kubeconfig of the cluster."""
    cloud = inputs.model.project.cloud
    return [
        action(inputs, "Get cloud credentials (OIDC)", "aws-actions/configure-aws-credentials",
               {"role-to-assume": f"${{{{ vars.{cloud.role_variable} }}}}",
                "aws-region": f"${{{{ vars.{cloud.region_variable} }}}}"}),
        action(inputs, "Set up Helm", "azure/setup-helm", {"version": cloud.helm_version}),
    ]


def connect_step(inputs: Inputs) -> Step:
    cloud = inputs.model.project.cloud
    return step("Connect to the cluster", env={
        "CLUSTER": f"${{{{ vars.{cloud.cluster_variable} }}}}",
        "REGION": f"${{{{ vars.{cloud.region_variable} }}}}",
    }, run='aws eks update-kubeconfig --name "${CLUSTER}" --region "${REGION}"')


def prune_job(inputs: Inputs, env: Environment, deploy_job: str) -> Job:
    """Uninstalls, in one environment, the releases of services the model no longer has. It
    declares the environment, so it waits for the same reviewers as that environment's deploy."""
    project = inputs.model.project
    return {
        "name": f"{env.name} (remove old services)",
        "needs": [deploy_job],
        "if": f"{AFTER_PREVIOUS} && inputs.prune"
              f" && github.ref == 'refs/heads/{project.default_branch}'",
        "runs-on": project.ci.runner,
        "timeout-minutes": project.ci.deploy_minutes,
        "environment": env.name,
        "permissions": permissions(id_token="write"),
        "concurrency": {"group": f"deploy-{env.name}-prune", "cancel-in-progress": False},
        "steps": [
            *cluster_steps(inputs),
            connect_step(inputs),
            step("Uninstall the releases of removed services", shell="bash",
                 env={"NAMESPACE": env.namespace}, run=prune_script(inputs)),
        ],
    }


def backing_script(inputs: Inputs) -> str:
    """Install or upgrade every backing service's chart (an image pinned in its values; no
    build, no digest to resolve); --atomic undoes a release that does not become ready."""
    names = " ".join(sorted(inputs.model.backing))
    return (
        f"for name in {names}; do\n"
        '  chart="generated/helm/${name}"\n'
        '  helm upgrade --install "${name}" "${chart}" -n "${NAMESPACE}"'
        ' -f "${chart}/values-${ENVIRONMENT}.yaml" \\\n'
        "    --wait --atomic --timeout 10m\n"
        "done\n"
    )


def backing_job(inputs: Inputs, env: Environment, previous: str | None) -> Job:
    """Deploys, in one environment, the backing services before the services that use them. It
    declares the environment, so it waits for the same reviewers as the services' deploy."""
    project = inputs.model.project
    branch = f"github.ref == 'refs/heads/{project.default_branch}'"
    job: Job = {"name": f"{env.name} (backing services)"}
    if previous:
        job["needs"] = [previous]
        branch = f"{AFTER_PREVIOUS} && {branch}"
    return job | {
        "if": branch,
        "runs-on": project.ci.runner,
        "timeout-minutes": project.ci.deploy_minutes,
        "environment": env.name,
        "permissions": permissions(contents="read", id_token="write"),
        "concurrency": {"group": f"deploy-{env.name}-backing", "cancel-in-progress": False},
        "steps": [
            checkout(inputs),
            *cluster_steps(inputs),
            connect_step(inputs),
            step("Deploy the backing services", shell="bash",
                 env={"NAMESPACE": env.namespace, "ENVIRONMENT": env.name},
                 run=backing_script(inputs)),
        ],
    }


def environment_job(inputs: Inputs, env: Environment, previous: str | None) -> Job:
    project = inputs.model.project
    login, extra = registry_login(inputs)
    job: Job = {"name": f"{env.name} (${{{{ matrix.service }}}})"}
    branch = f"github.ref == 'refs/heads/{project.default_branch}'"
    if previous:
        job["needs"] = [previous]
        branch = f"{AFTER_PREVIOUS} && {branch}"
    job |= {
        # An empty list leaves only releases to remove: no matrix (it would be empty).
        "if": f"{branch} && inputs.services != '[]'",
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
            *cluster_steps(inputs),
            login,
            connect_step(inputs),
            step("Find the image digest", id="image", shell="bash", env={
                "SERVICE": "${{ matrix.service }}",
                "IMAGE": f"{project.registry}/${{{{ matrix.service }}}}",
                "NAMESPACE": env.namespace,
                "REDEPLOY": "${{ inputs.redeploy }}",
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
    wanted = {"services": SERVICES_INPUT, "redeploy": REDEPLOY_INPUT, "prune": PRUNE_INPUT}
    on = {"workflow_call": {"inputs": wanted}, "workflow_dispatch": {"inputs": wanted}}
    jobs: dict[str, Job] = {}
    previous: str | None = None
    for env in inputs.model.project.environments:
        if inputs.model.backing:
            jobs[f"backing-{env.name}"] = backing_job(inputs, env, previous)
            previous = f"backing-{env.name}"
        job_id = f"deploy-{env.name}"
        jobs[job_id] = environment_job(inputs, env, previous)
        # The next environment waits for this one's removals too: promotion order holds.
        previous = f"prune-{env.name}"
        jobs[previous] = prune_job(inputs, env, job_id)
    return {PATH: document(inputs, "deploy", on, jobs)}
