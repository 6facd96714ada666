"""`pipelinegen affected` on change sets committed in a real git repository."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pipelinegen.affected import affected
from tests.support.changes import API_FILE, GO_DIGEST, PY_DIGEST, both, edit, write
from tests.support.gitrepo import commit_all, example_repo, git

ALL = ["api", "courier", "docs", "imposer", "invoices", "ledger", "renderer", "stock", "web",
       "worker"]


def delete_service_docs(root: Path) -> None:
    git(root, "rm", "-rq", "services/docs")
    text = (root / "services.yaml").read_text()
    start = text.index("  docs:\n")
    end = text.find("\n\n", start)  # the next service's block, if any, stays
    (root / "services.yaml").write_text(text[:start] + (text[end + 2:] if end >= 0 else ""))


def rename_renderer_dir(root: Path) -> None:
    git(root, "mv", "services/renderer", "services/rasteriser")
    edit("services.yaml", "path: services/renderer", "path: services/rasteriser")(root)


def add_service(root: Path) -> None:
    write("services/billing/app.py", "print('hi')\n")(root)
    with (root / "services.yaml").open("a") as stream:
        stream.write("\n  billing:\n    path: services/billing\n    stack: python\n"
                     "    port: 8095\n    command: [python, app.py]\n")


CASES: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "service file": (write(API_FILE, "x = 1\n"), ["api"]),
    "shared package": (write("packages/printcore/printcore/extra.py"), ["api", "worker"]),
    "one service's model entry": (edit("services.yaml", "replicas: 4", "replicas: 5"),
                                  ["renderer"]),
    "doc file outside services": (write("README.md", "# docs changed\n"), []),
    "deleted service": (delete_service_docs, []),
    "file renamed from one service to another": (
        lambda root: git(root, "mv", "services/web/app.js", "services/api/app.js"),
        ["api", "web"]),
    "service directory renamed with its path": (rename_renderer_dir, ["renderer"]),
    "go base digest (go builds renderer and docs)": (
        # stock's grpc health probe builds on the go base.
        edit("services.yaml", GO_DIGEST, "0" * 64), ["docs", "renderer", "stock"]),
    "python base digest": (edit("services.yaml", PY_DIGEST, "1" * 64),
                           ["api", "courier", "stock", "worker"]),
    "project registry: every service": (
        edit("services.yaml", "registry: ghcr.io/printloop", "registry: ghcr.io/other"), ALL),
    "branch protection only": (
        edit("services.yaml", "    required_approvals: 2\n", "    required_approvals: 3\n"), []),
    "a service's budget and utilisation only": (
        edit("services.yaml", "utilisation: {production: 140}", "utilisation: {production: 90}"),
        []),
    "the pricing profile only": (
        edit("services.yaml", "profile: eks-fargate", "profile: gke-autopilot"), []),
    "comment in services.yaml": (edit("services.yaml", "# Printloop:", "# Printloop, a"), []),
    "new service": (add_service, ["billing"]),
    "generated Dockerfile": (write("generated/docker/web.Dockerfile"), ["web"]),
    "generated chart": (write("generated/helm/worker/values.yaml"), ["worker"]),
    # Deploying its user (deploy only) runs the deploy workflow that upgrades the backing chart.
    "a backing service's chart": (write("generated/helm/cache/values.yaml"), ["api"]),
    "workflow file": (write(".github/workflows/ci.yml"), []),
    "the repository's own values for one environment": (
        write("deploy/values/web-production.yaml", "replicas: 3\n"), ["web"]),
    "an own values file of no environment": (write("deploy/values/web-qa.yaml"), []),
    "path that only shares a prefix": (write("services/api-docs/index.md"), []),
    "two services and a package": (
        both(write("services/web/new.js"), write("packages/printcore/x.py")),
        ["api", "web", "worker"]),
    "file deleted from a service": (
        lambda root: git(root, "rm", "-q", "services/renderer/main_test.go"), ["renderer"]),
    "dependency added to a service": (
        edit("services.yaml", "    depends_on: [packages/printcore]\n    owners: "
             '["@printloop/backend"]\n    deploy:\n      replicas: 2\n      env:\n        QUEUE',
             "    depends_on: [packages/printcore, packages/queue]\n    owners: "
             '["@printloop/backend"]\n    deploy:\n      replicas: 2\n      env:\n        QUEUE'),
        ["worker"]),
    "nothing": (lambda root: None, []),
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = example_repo(tmp_path_factory.mktemp("affected") / "repo")
    return root, git(root, "rev-parse", "HEAD")


@pytest.mark.parametrize("name", list(CASES))
def test_change_set_affects_exactly(repo: tuple[Path, str], name: str) -> None:
    root, base = repo
    change, expected = CASES[name]
    git(root, "checkout", "-q", "-B", f"case-{len(name)}-{abs(hash(name))}", base)
    change(root)
    head = commit_all(root, name)
    assert affected(root, "services.yaml", base, head) == expected
    git(root, "checkout", "-q", "--detach", base)


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 15


def test_new_branch_push_affects_everything(repo: tuple[Path, str]) -> None:
    root, base = repo
    assert affected(root, "services.yaml", "0" * 40, base) == ALL


def test_invalid_model_at_base_affects_everything(tmp_path: Path) -> None:
    root = example_repo(tmp_path / "repo")
    good = (root / "services.yaml").read_text()
    (root / "services.yaml").write_text("version: [\n")
    broken = commit_all(root, "broken")
    (root / "services.yaml").write_text(good)
    fixed = commit_all(root, "fixed")
    assert affected(root, "services.yaml", broken, fixed) == ALL


def run_cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipelinegen", "affected", *args], cwd=root,
                          capture_output=True, text=True, check=False)


def test_cli_json_is_a_sorted_list_for_a_matrix(tmp_path: Path) -> None:
    root = example_repo(tmp_path / "repo")
    base = git(root, "rev-parse", "HEAD")
    write("services/worker/worker/more.py")(root)
    write("services/api/api/more.py")(root)
    commit_all(root, "two")
    done = run_cli(root, "--base", base, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert done.stdout == '["api","worker"]\n'
    assert json.loads(done.stdout) == ["api", "worker"]
    text = run_cli(root, "--base", base, "--head", "HEAD", "--format", "text")
    assert text.stdout == "api\nworker\n"


def test_cli_unknown_base_is_a_usage_error(tmp_path: Path) -> None:
    root = example_repo(tmp_path / "repo")
    done = run_cli(root, "--base", "no-such-ref")
    assert done.returncode == 2
    assert "'no-such-ref' is not a commit" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_invalid_model_at_head_is_located(tmp_path: Path) -> None:
    root = example_repo(tmp_path / "repo")
    base = git(root, "rev-parse", "HEAD")
    edit("services.yaml", "port: 8080", "port: eighty")(root)
    commit_all(root, "bad port")
    done = run_cli(root, "--base", base)
    assert done.returncode == 2
    assert "services.yaml:" in done.stderr and "port" in done.stderr


def changes_step() -> tuple[str, dict[str, str]]:
    from ruamel.yaml import YAML

    from tests.support import workflow_models

    ci = YAML(typ="safe").load(workflow_models.bundled()[".github/workflows/ci.yml"])
    step = ci["jobs"]["changes"]["steps"][-1]
    return step["run"], step["env"]


@pytest.mark.parametrize("event", ["pull_request", "merge_group", "push", "push-new-branch"])
def test_the_ci_step_hands_the_command_output_to_the_matrix(tmp_path: Path, event: str) -> None:
    """The generated `changes` step, run by bash in a real repository, outputs what
    `pipelinegen affected` says for the event's base commit."""
    import os

    root = example_repo(tmp_path / "repo")
    base = git(root, "rev-parse", "HEAD")
    write("services/web/extra.js")(root)
    commit_all(root, "web change")
    script, env = changes_step()
    output = tmp_path / "github_output"
    base_for = "0" * 40 if event == "push-new-branch" else base
    values = {"EVENT": event.removesuffix("-new-branch"), "PR_BASE": "", "GROUP_BASE": "",
              "BEFORE": ""}
    values[{"pull_request": "PR_BASE", "merge_group": "GROUP_BASE"}.get(values["EVENT"],
                                                                        "BEFORE")] = base_for
    assert set(values) == set(env)
    bin_dir = Path(sys.executable).parent
    done = subprocess.run(["bash", "-e", "-c", script], cwd=root, capture_output=True, text=True,
                          check=False, env={**os.environ, **values, "GITHUB_OUTPUT": str(output),
                                            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr
    expected = ALL if event == "push-new-branch" else ["web"]
    listed = json.dumps(expected, separators=(",", ":"))
    # Every affected service is built here (a code change): nothing to deploy as it runs.
    lines = output.read_text().splitlines()
    chunk = next(line for line in lines if line.startswith("chunk-1="))
    assert [entry["service"] for entry in json.loads(chunk.removeprefix("chunk-1="))] == expected
    assert [line for line in lines if line != chunk] == [
        f"services={listed}", f"build={listed}", "redeploy=[]", "removed=[]"]


@pytest.mark.parametrize(("name", "expected"), [
    ("deleted service", ["docs"]),
    ("service directory renamed with its path", []),
    ("new service", []),
    ("service file", []),
])
def test_removed_lists_the_services_the_change_drops(repo: tuple[Path, str], name: str,
                                                     expected: list[str]) -> None:
    from pipelinegen.affected import removed

    root, base = repo
    git(root, "checkout", "-q", "-B", f"removed-{len(name)}-{abs(hash(name))}", base)
    CASES[name][0](root)
    head = commit_all(root, name)
    assert removed(root, "services.yaml", base, head) == expected
    assert removed(root, "services.yaml", "0" * 40, head) == []
    git(root, "checkout", "-q", "--detach", base)


def test_a_renamed_service_is_removed_under_its_old_name(repo: tuple[Path, str]) -> None:
    from pipelinegen.affected import removed

    root, base = repo
    git(root, "checkout", "-q", "-B", "rename-service", base)
    edit("services.yaml", "  renderer:\n", "  rasteriser:\n")(root)
    edit("services.yaml", "callers: [worker]\n    owners: [\"@printloop/imaging\"]",
         "callers: [worker]\n    owners: [\"@printloop/imaging\"]")(root)
    head = commit_all(root, "rename")
    assert removed(root, "services.yaml", base, head) == ["renderer"]
    assert affected(root, "services.yaml", base, head) == ["rasteriser"]
    git(root, "checkout", "-q", "--detach", base)
