"""docs/devops/: the deployment process, environment setup and emergency procedures, from the model.

Each page says what the generated workflows and charts do for this model (environments in
order, approvals, strategies, checks, namespaces, secrets, registry) and ends with a kept section
for the team's own notes, which generation leaves as it finds it (kept.py). Commands are written
per environment with "$SERVICE", so the pages stay small for a thousand services.
"""

from __future__ import annotations

from pipelinegen.core import kept, layout
from pipelinegen.core.inputs import Inputs
from pipelinegen.core.model import Environment, Model, Service
from pipelinegen.emit.header import header

DIR = layout.DEVOPS_DOCS
STRATEGY = {
    "rolling": "pods are replaced a few at a time; `helm upgrade --wait --atomic` undoes a rollout"
               " that does not become ready",
    "canary": "the new digest first runs as a canary beside the stable pods, then is promoted; a"
              " canary or promotion that does not become ready is rolled back to the revision it"
              " started from",
    "blue-green": "the new digest is deployed to the idle colour, then traffic switches to it; a"
                  " failed switch switches back",
}


def emit(inputs: Inputs) -> dict[str, str]:
    model, source = inputs.model, inputs.source
    pages = {
        "deployment.md": deployment(model, source),
        "environments.md": environments(model),
        "emergency.md": emergency(model),
    }
    top = "<!--" + header(source, "").rstrip("\n") + " -->\n\n"
    notes = (f"\n## Notes kept by hand\n\n{kept.MD_BEGIN.decode()}\n{kept.MD_END.decode()}\n")
    return {f"{DIR}/{name}": top + "\n".join(lines) + "\n" + notes
            for name, lines in pages.items()}


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head),
            *("| " + " | ".join(row) + " |" for row in rows)]


def deployment(model: Model, source: str) -> list[str]:
    project = model.project
    bp = project.branch_protection
    branches = ", ".join(f"`{b}`" for b in bp.branches or [project.default_branch])
    lines = [
        f"# Deployment process: {project.name}", "",
        f"How a change reaches production, as `{source}` configures it.", "",
        "## From pull request to production", "",
        "1. A pull request runs `.github/workflows/ci.yml`: `changes` lists the services the"
        " change affects (`pipelinegen affected`); `build (<service>)` runs each one's tests,"
        " builds its image, checks its size budget, writes its SBOM and scans it; "
        f"`{project.gate_job}` reports the result as the one required check."
        " `.github/workflows/pipelinegen.yml` runs `drift` (`pipelinegen check`) and `review`"
        " (`pipelinegen diff`, posted as a comment).",
        f"2. Merging into {branches} needs {bp.required_approvals} approval(s)"
        + (", code-owner review" if bp.code_owner_review else "")
        + (f" and the check `{project.gate_job}`" if bp.require_status_checks else "")
        + " (`.github/rulesets/pipelinegen-branch-protection.json`).",
        f"3. On `{project.default_branch}`, `publish (<service>)` pushes each affected image to"
        f" `{project.registry}/<service>`, and `deploy` (`.github/workflows/deploy.yml`) rolls"
        " it out by digest through the environments, in this order, each waiting for the one"
        " before:", "",
    ]
    rows = [[str(i), f"`{env.name}`", f"`{env.namespace}`", env.strategy,
             "required (GitHub environment reviewers)" if env.approval else "none"]
            for i, env in enumerate(project.environments, 1)]
    lines += _table(["order", "environment", "namespace", "strategy", "approval"], rows)
    lines += ["", "## Strategies", ""]
    used = sorted({env.strategy for env in project.environments})
    lines += [f"- **{name}**: {STRATEGY[name]}." for name in used]
    lines += ["", "## Services", ""]
    envs = project.environment_names()
    rows = []
    for name, svc in sorted(model.services.items()):
        counts = []
        for env in envs:
            scale = svc.deploy_setting(env, "autoscaling")
            counts.append(f"{scale.min_replicas}-{scale.max_replicas}" if scale
                          else str(svc.deploy_setting(env, "replicas")))
        ingress = svc.deploy.ingress
        rows.append([f"`{name}`", svc.stack, f"`{model.image(name)}`", _port(svc),
                     _health(svc), " / ".join(counts),
                     f"`{ingress.host}{ingress.path}`" if ingress else "-"])
    lines += _table(["service", "stack", "image", "port", "health", "pods (" + " / ".join(envs)
                     + ")", "ingress"], rows)
    return lines


def _port(svc: Service) -> str:
    return "-" if svc.port is None else f"{svc.port}{' (grpc)' if svc.grpc else ''}"


def _health(svc: Service) -> str:
    """What the probes check: the HTTP path, the gRPC health service, or the command."""
    if svc.port is None:
        return f"`{' '.join(svc.health_command)}`"
    if svc.grpc:
        return f"grpc.health.v1 `{svc.health_service}`" if svc.health_service else \
            "grpc.health.v1"
    return f"`{svc.health}`"


def environments(model: Model) -> list[str]:
    project = model.project
    lines = [f"# Environment setup: {project.name}", "", "## Kubernetes", "",
             "Namespaces to create: " + ", ".join(f"`{e.namespace}`" for e in project.environments)
             + ".", "", "What the cluster needs installed:", ""]
    ingress = sorted(name for name, svc in model.services.items() if any(
        svc.deploy_setting(env, "ingress") for env in project.environment_names()))
    scaled = sorted(name for name, svc in model.services.items() if any(
        svc.deploy_setting(env, "autoscaling") for env in project.environment_names()))
    secret_rows = _secrets(model)
    lines += [
        "- **An ingress controller** in the namespace `ingress-nginx` (the NetworkPolicies admit"
        " traffic from there): " + (f"needed by {_names(ingress)}." if ingress
                                    else "not needed, no service has an ingress."),
        "- **A network plugin that enforces NetworkPolicy**: every chart denies all traffic but"
        " its callers'.",
        "- **metrics-server**: " + (f"needed by the autoscaling of {_names(scaled)}." if scaled
                                   else "not needed, no service autoscales."),
        "- **Prometheus Operator**: not needed, the generated charts define no ServiceMonitor or"
        " PrometheusRule.",
        "- **External Secrets Operator** (or another way of creating Secrets): "
        + ("the charts only reference the Secrets below; they must exist first." if secret_rows
           else "not needed, no service reads a Secret."),
        "", "## Secrets store", "",
    ]
    if secret_rows:
        lines += _table(["namespace", "Secret", "key", "read by"], secret_rows)
    else:
        lines.append("No service reads a Secret.")
    registry = project.registry
    login = ("the workflow's `GITHUB_TOKEN` (`packages: write` in the publish job)"
             if registry.startswith("ghcr.io/") else "the variable `REGISTRY_USERNAME` and the"
             " secret `REGISTRY_PASSWORD` of the GitHub environment `registry`")
    cloud = project.cloud
    lines += ["", "## Registry", "", f"Images are pushed to `{registry}/<service>`, logged in"
              f" with {login}. The cluster's nodes must be able to pull from it.", "",
              "## GitHub", "",
              "Environments to create (Settings, Environments), with these variables:", ""]
    lines += _table(["environment", "reviewers", "variables"], [
        [f"`{env.name}`", "required" if env.approval else "none",
         f"`{cloud.role_variable}`, `{cloud.region_variable}`, `{cloud.cluster_variable}`"]
        for env in project.environments])
    return lines


def _secrets(model: Model) -> list[list[str]]:
    rows: dict[tuple[str, str, str], set[str]] = {}
    for env in model.project.environments:
        for name, svc in model.services.items():
            for var, ref in svc.deploy_setting(env.name, "secrets").items():
                rows.setdefault((env.namespace, ref.secret, ref.key), set()).add(f"{name} {var}")
    return [[f"`{ns}`", f"`{secret}`", f"`{key}`", ", ".join(sorted(users))]
            for (ns, secret, key), users in sorted(rows.items())]


def _names(names: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


def emergency(model: Model) -> list[str]:
    project = model.project
    lines = [
        f"# Emergency procedures: {project.name}", "",
        "## Pause deploys", "",
        "Deploys run from `.github/workflows/ci.yml` on the default branch (its `deploy` job"
        " calls `.github/workflows/deploy.yml`). To stop them:", "", "```sh",
        f"gh run list --workflow ci.yml --branch {project.default_branch}   # the runs in flight",
        "gh run cancel RUN_ID                        # stop one",
        "gh workflow disable ci.yml                  # no new runs (tests included) ...",
        "gh workflow enable ci.yml                   # ... until enabled again", "```", "",
        "To hold a single environment, add required reviewers to its GitHub environment: its"
        " deploys then wait for an approval.",
        "", "## Roll back", "",
        "Set `SERVICE` to the service's name first. Every rollout is a Helm release named after"
        " the service; `helm history` lists its revisions.", "",
    ]
    for env in project.environments:
        lines += [f"### {env.name} ({env.strategy}, namespace `{env.namespace}`)", ""]
        lines += _rollback(env)
    return lines


def _rollback(env: Environment) -> list[str]:
    ns = env.namespace
    common = [f'helm history "$SERVICE" -n {ns}',
              f'helm rollback "$SERVICE" REVISION -n {ns} --wait --timeout 10m   # a good one']
    chart = (f'helm upgrade "$SERVICE" "{layout.chart_dir("$SERVICE")}" -n {ns}'
             f' -f "{layout.values_file("$SERVICE", env.name)}" --reuse-values')
    if env.strategy == "canary":
        return ["A canary still running: remove it, the stable pods stay as they are.", "",
                "```sh", f'{chart} --set canary.digest= --wait', "```", "",
                "After the promotion: go back to the revision before it.", "",
                "```sh", *common, "```", ""]
    if env.strategy == "blue-green":
        return ["Switch traffic back to the other colour (its pods still run the old digest):",
                "", "```sh",
                f'active="$(helm get values "$SERVICE" -n {ns} -o json'
                " | jq -r '.blueGreen.active // \"blue\"')\"",
                'if [ "$active" = blue ]; then previous=green; else previous=blue; fi',
                f'{chart} --set "blueGreen.active=$previous" --wait', "```", "",
                "Or go back to an earlier revision as a whole:", "", "```sh", *common, "```", ""]
    return ["```sh", *common, "```", ""]
