"""The repository files OpenSSF Scorecard looks for: a dependency-update tool and a policy.

`.github/dependabot.yml` updates the services' own dependencies and the GitHub Actions, which
Dependabot bumps SHA for SHA, keeping the `@<sha> # <tag>` form; `SECURITY.md` says how to
report a vulnerability. (The SAST check is codeql.yml, among the workflows.)
"""

from __future__ import annotations

from typing import Any

from pipelinegen import stacks
from pipelinegen.core import layout
from pipelinegen.core.inputs import Inputs
from pipelinegen.core.yamlio import dump
from pipelinegen.emit.header import header

DEPENDABOT = layout.DEPENDABOT
SECURITY = layout.SECURITY


def dependabot(inputs: Inputs) -> str:
    updates: list[dict[str, Any]] = [
        # The lock is the source of the pins: after a bump, `pipelinegen pin-actions` rewrites it.
        {"package-ecosystem": "github-actions", "directory": "/",
         "schedule": {"interval": "weekly"}, "groups": {"actions": {"patterns": ["*"]}}},
    ]
    for name, service in sorted(inputs.model.services.items()):
        ecosystem = stacks.dependabot(service)
        if ecosystem:
            updates.append({"package-ecosystem": ecosystem, "directory": f"/{service.path}",
                            "schedule": {"interval": "weekly"},
                            "groups": {name: {"patterns": ["*"]}}})
    return header(inputs.source) + dump({"version": 2, "updates": updates})


def security_policy(inputs: Inputs) -> str:
    repository = inputs.model.project.repository
    return f"<!--\n{header(inputs.source, comment='  ')}-->\n" + f"""
# Security policy

Report a vulnerability privately through GitHub's security advisories:
https://github.com/{repository}/security/advisories/new. Please do not open a public issue.

We acknowledge a report within three working days and keep you informed until it is fixed.

Only the default branch and what is deployed from it are supported. Every published image is
signed and attested by CI, deploys verify both, and known vulnerabilities are gated before
and after deployment; accepted ones are listed, with an owner and an expiry, in the services
file under `project.vulnerabilities.exceptions`.
"""


def emit(inputs: Inputs) -> dict[str, str]:
    return {DEPENDABOT: dependabot(inputs), SECURITY: security_policy(inputs)}
