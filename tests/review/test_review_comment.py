"""The review job's github-script: one comment per pull request, found by its marker and
updated on every push. Run by the real node with an in-memory stand-in for the GitHub API."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.support import workflow_models

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


def drift_step() -> dict[str, Any]:
    flow = YAML(typ="safe").load(workflow_models.bundled()[".github/workflows/pipelinegen.yml"])
    (step,) = [s for s in flow["jobs"]["drift"]["steps"] if "pipelinegen check" in s.get("run", "")]
    return dict(step)


def run_drift(root: Path, tmp_path: Path) -> tuple[int, str]:
    import os
    import sys

    summary = tmp_path / "summary.md"
    summary.write_text("")
    bin_dir = Path(sys.executable).parent
    done = subprocess.run(["bash", "-e", "-c", drift_step()["run"]], cwd=root,
                          env={**os.environ, "GITHUB_STEP_SUMMARY": str(summary),
                               "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
                          capture_output=True, text=True, check=False)
    return done.returncode, summary.read_text()


def test_drift_goes_to_the_job_summary(tmp_path: Path) -> None:
    from tests.support.gitrepo import REPO_ROOT

    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO_ROOT / "services.yaml", root / "services.yaml")
    generate = subprocess.run(["pipelinegen", "generate"], cwd=root, capture_output=True,
                              check=False, env=_venv_env())
    assert generate.returncode == 0, generate.stderr
    assert run_drift(root, tmp_path) == (0, "Generated files are up to date.\n")
    ci = root / ".github" / "workflows" / "ci.yml"
    ci.write_text(ci.read_text().replace("name: ci\n", "name: edited\n"))
    code, summary = run_drift(root, tmp_path)
    assert code == 1
    assert summary.startswith("## Generated files are out of date: run the command the hint at"
                              " the end names, then commit.")
    assert "-name: edited\n+name: ci\n" in summary
    # The file was edited by hand: plain generate would refuse it, so the hint says --force.
    assert "hint: move the change into services.yaml, or discard it with `pipelinegen generate" \
        " --force`" in summary
    (root / "services.yaml").write_text("version: [\n")
    code, summary = run_drift(root, tmp_path)
    assert code == 2
    assert summary.startswith("## pipelinegen check could not run (exit 2).")
    assert "services.yaml:" in summary


def _venv_env() -> dict[str, str]:
    import os
    import sys

    return {**os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
