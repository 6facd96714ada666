"""`.github/workflows/pipelinegen.yml`: on every pull request, check the generated files for
drift and post a readable review of what the change does to them.

The review is one comment, found again by a hidden marker and edited on each push, so a pull
request never collects a pile of them. A pull request from a fork gets a read-only token that
cannot comment: its review goes to the job summary instead.
"""

from __future__ import annotations

from pipelinegen.core import layout
from pipelinegen.core.inputs import Inputs
from pipelinegen.emit.workflows import budget
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

PATH = layout.REVIEW_WORKFLOW
MARKER = "<!-- pipelinegen-review -->"
SAME_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository"

DRIFT_SCRIPT = """\
status=0
pipelinegen check{file} --format text --diff > drift.txt 2>&1 || status="$?"
if [ "${{status}}" = 0 ]; then
  echo "Generated files are up to date." >> "${{GITHUB_STEP_SUMMARY}}"
  exit 0
fi
if [ "${{status}}" = 1 ]; then
  title="Generated files are out of date: run the command the hint at the end names, then commit."
else
  title="pipelinegen check could not run (exit ${{status}})."
fi
{{
  echo "## ${{title}}"
  echo
  echo '```diff'
  cat drift.txt
  echo '```'
}} >> "${{GITHUB_STEP_SUMMARY}}"
cat drift.txt
exit "${{status}}"
"""

# Finds the comment by its marker (written by a bot) and edits it, or creates it.
COMMENT_SCRIPT = f"""\
const fs = require('fs');
const marker = '{MARKER}';
const body = `${{marker}}\\n${{fs.readFileSync('review.md', 'utf8')}}`;
const {{ owner, repo }} = context.repo;
const issue_number = context.payload.pull_request.number;
const comments = await github.paginate(github.rest.issues.listComments,
  {{ owner, repo, issue_number, per_page: 100 }});
const previous = comments.find(
  (comment) => comment.user.type === 'Bot' && comment.body.startsWith(marker));
if (previous) {{
  await github.rest.issues.updateComment({{ owner, repo, comment_id: previous.id, body }});
}} else {{
  await github.rest.issues.createComment({{ owner, repo, issue_number, body }});
}}
"""


def drift_job(inputs: Inputs) -> Job:
    return {
        "name": "drift",
        "runs-on": inputs.model.project.ci.runner,
        "timeout-minutes": budget.review_minutes(inputs.model.project.ci),
        "permissions": permissions(contents="read"),
        "steps": [
            checkout(inputs),
            *install_pipelinegen(inputs),
            step("Check the generated files", run=DRIFT_SCRIPT.format(file=file_option(inputs))),
        ],
    }


def review_job(inputs: Inputs) -> Job:
    return {
        "name": "review",
        "runs-on": inputs.model.project.ci.runner,
        "timeout-minutes": budget.review_minutes(inputs.model.project.ci),
        "permissions": permissions(contents="read", pull_requests="write"),
        "steps": [
            checkout(inputs, **{"fetch-depth": 0}),
            *install_pipelinegen(inputs),
            step("Review the change to the generated files",
                 env={"BASE_SHA": "${{ github.event.pull_request.base.sha }}"},
                 run=f'pipelinegen diff{file_option(inputs)} --base "${{BASE_SHA}}"'
                 " --format markdown > review.md\n"),
            action(inputs, "Post or update the review comment", "actions/github-script",
                   {"script": COMMENT_SCRIPT}, **{"if": SAME_REPOSITORY}),
            step("Write the review to the job summary (pull requests from forks)",
                 **{"if": f"!({SAME_REPOSITORY})"},
                 run='cat review.md >> "${GITHUB_STEP_SUMMARY}"\n'),
        ],
    }


def emit(inputs: Inputs) -> dict[str, str]:
    on = {"pull_request": None}
    jobs = {"drift": drift_job(inputs), "review": review_job(inputs)}
    concurrency = {"group": "${{ github.workflow }}-${{ github.event.pull_request.number }}",
                   "cancel-in-progress": True}
    return {PATH: document(inputs, "pipelinegen", on, jobs, concurrency)}
