"""The review job's github-script: one comment per pull request, found by its marker and
updated on every push. Run by the real node with an in-memory stand-in for the GitHub API."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests import workflow_models

HARNESS = """
const fs = require('fs');
const state = JSON.parse(fs.readFileSync('state.json', 'utf8'));
const api = {
  listComments: 'list',
  async createComment({ body }) { state.comments.push({ id: state.next++, body,
                                                          user: { type: 'Bot' } }); },
  async updateComment({ comment_id, body }) {
    state.comments.find((c) => c.id === comment_id).body = body; state.updated.push(comment_id);
  },
};
const github = {
  rest: { issues: api },
  async paginate(method, params) {
    if (method !== 'list' || params.issue_number !== 7) throw new Error('bad call');
    return state.comments;
  },
};
const context = { repo: { owner: 'printloop', repo: 'platform' },
                  payload: { pull_request: { number: 7 } } };
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
new AsyncFunction('require', 'github', 'context', fs.readFileSync('script.js', 'utf8'))(
  require, github, context).then(() => fs.writeFileSync('state.json', JSON.stringify(state)));
"""


def review_steps() -> list[dict[str, Any]]:
    flow = YAML(typ="safe").load(workflow_models.bundled()[".github/workflows/pipelinegen.yml"])
    return list(flow["jobs"]["review"]["steps"])


def post(tmp_path: Path, review: str) -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "node is needed to run the github-script"
    (step,) = [s for s in review_steps() if "github-script" in s.get("uses", "")]
    (tmp_path / "script.js").write_text(step["with"]["script"])
    (tmp_path / "harness.js").write_text(HARNESS)
    (tmp_path / "review.md").write_text(review)
    subprocess.run([node, "harness.js"], cwd=tmp_path, check=True)
    state: dict[str, Any] = json.loads((tmp_path / "state.json").read_text())
    return state


def test_one_comment_created_then_updated_on_each_push(tmp_path: Path) -> None:
    human = {"id": 1, "body": "<!-- pipelinegen-review -->\nquoted by a person",
             "user": {"type": "User"}}
    (tmp_path / "state.json").write_text(json.dumps(
        {"comments": [human], "next": 2, "updated": []}))
    first = post(tmp_path, "## api: replicas 2 -> 3\n")
    assert len(first["comments"]) == 2
    assert first["comments"][1]["body"] == "<!-- pipelinegen-review -->\n## api: replicas 2 -> 3\n"
    second = post(tmp_path, "## api: replicas 2 -> 4\n")
    assert len(second["comments"]) == 2, "a push must update the comment, not add one"
    assert second["updated"] == [2]
    assert second["comments"][1]["body"].endswith("replicas 2 -> 4\n")
    assert second["comments"][0] == human


def test_forks_get_the_job_summary_and_only_this_job_may_write_pull_requests() -> None:
    flow = YAML(typ="safe").load(workflow_models.bundled()[".github/workflows/pipelinegen.yml"])
    steps = flow["jobs"]["review"]["steps"]
    comment = next(s for s in steps if "github-script" in s.get("uses", ""))
    summary = next(s for s in steps if "GITHUB_STEP_SUMMARY" in s.get("run", ""))
    same = "github.event.pull_request.head.repo.full_name == github.repository"
    assert comment["if"] == same and summary["if"] == f"!({same})"
    review = next(s for s in steps if "--format markdown" in s.get("run", ""))
    assert review["run"].startswith('pipelinegen diff --base "${BASE_SHA}" --format markdown')
    assert review["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    writers = [job_id for job_id, job in flow["jobs"].items()
               if job["permissions"].get("pull-requests") == "write"]
    assert writers == ["review"]
    assert flow["permissions"] == {}
