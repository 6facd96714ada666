"""`.github/workflows/codeql.yml`: CodeQL (SAST) for the languages of the stacks present.

One matrix leg per language: python services give `python`, node `javascript-typescript`,
go `go`, and the workflows themselves `actions`; interpreted languages need no build
(`build-mode: none`), go is built by CodeQL's autobuild. OpenSSF Scorecard's SAST check looks
for exactly this workflow.
"""

from __future__ import annotations

from pipelinegen import stacks
from pipelinegen.core import layout
from pipelinegen.core.inputs import Inputs
from pipelinegen.core.yamlio import with_comments
from pipelinegen.emit.workflows.common import Job, action, checkout, document

PATH = layout.CODEQL_WORKFLOW


def languages(inputs: Inputs) -> dict[str, str]:
    """{CodeQL language: its build mode} of the stacks present, and the workflows'."""
    used = [stacks.get(service.stack) for service in inputs.model.services.values()]
    found = {stack.codeql: stack.codeql_build for stack in used if stack.codeql is not None}
    return dict(sorted({**found, "actions": "none"}.items()))


def analyze_job(inputs: Inputs) -> Job:
    include = [{"language": lang, "build-mode": mode}
               for lang, mode in languages(inputs).items()]
    return {
        "name": "analyze (${{ matrix.language }})",
        "runs-on": inputs.model.project.ci.runner,
        "timeout-minutes": 30,
        "permissions": with_comments(
            {"contents": "read", "security-events": "write"},
            {"contents": "check out the repository",
             "security-events": "upload the CodeQL results to code scanning"}),
        "strategy": {"fail-fast": False, "matrix": {"include": include}},
        "steps": [
            checkout(inputs),
            action(inputs, "Initialise CodeQL", "github/codeql-action/init", {
                "languages": "${{ matrix.language }}",
                "build-mode": "${{ matrix.build-mode }}",
            }),
            action(inputs, "Analyse", "github/codeql-action/analyze",
                   {"category": "/language:${{ matrix.language }}"}),
        ],
    }


def emit(inputs: Inputs) -> dict[str, str]:
    branch = inputs.model.project.default_branch
    on = {"push": {"branches": [branch]}, "pull_request": None,
          "schedule": [{"cron": "23 4 * * 1"}]}  # weekly: new queries find old code
    concurrency = {
        "group": "${{ github.workflow }}-${{ github.event.pull_request.number || github.sha }}",
        "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
    }
    return {PATH: document(inputs, "codeql", on, {"analyze": analyze_job(inputs)}, concurrency)}
