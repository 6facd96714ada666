"""A new user's week on a monorepo of their own, scripted in a real git repository: each step
asserts what the tool says and does, with the real CLI (a subprocess), git, the local
registry (for `pin`) and bash running the generated deploy steps against the helm stand-in."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from pipelinegen import affected as changes
from pipelinegen.review.render_markdown import DEPLOY_ONLY
from tests.support import bases
from tests.support.gitrepo import commit_all, example_repo, git

PIPELINEGEN = Path(sys.executable).parent / "pipelinegen"
FAKES = Path(__file__).resolve().parents[1] / "support" / "fakes"
STALE = "sha256:" + "1" * 64


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PIPELINEGEN), *args], cwd=root, capture_output=True, text=True,
                          check=False, env={**os.environ, "GITHUB_ACTIONS": ""})


def edit(root: Path, old: str, new: str, path: str = "services.yaml") -> None:
    text = (root / path).read_text()
    assert old in text, f"{old!r} not in {path}"
    (root / path).write_text(text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def deploy_workflow(root: Path) -> dict[str, object]:
    data = YAML(typ="safe").load((root / ".github/workflows/deploy.yml").read_text())
    assert isinstance(data, dict)
    return data


def prune_keeps(root: Path) -> str:
    jobs = deploy_workflow(root)["jobs"]
    assert isinstance(jobs, dict)
    step = jobs["prune-production"]["steps"][-1]
    match = re.search(r'^keep=" (.*) "$', step["run"], re.MULTILINE)
    assert match
    return match.group(1)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled monorepo, its bases in the local registry (python's digest stale)."""
    root = example_repo(tmp_path_factory.mktemp("scenario") / "repo")
    text = (root / "services.yaml").read_text()
    # The helm test pod's base, the java, rust and dotnet bases and the backing redis are played
    # by the static test base (pin only resolves them).
    for name, recipe in (("python", "python"), ("node", "node"), ("go", "go"),
                         ("static", "static"), ("helm-test", "static"),
                         *((other, "static") for other in ("jdk", "jre", "rust", "cc",
                                                           "dotnet-sdk", "aspnet", "redis"))):
        ref = bases.ensure(recipe)
        if name == "python":
            ref = ref.split("@")[0] + "@" + STALE
        text = re.sub(rf"^  {name}: .*$", f"  {name}: {ref}", text, count=1, flags=re.MULTILINE)
    (root / "services.yaml").write_text(text)
    commit_all(root, "the model, before anything is generated")
    return root


def day_one(root: Path) -> str:
    # Day 1, a fresh repository: check summarises per file instead of printing every line.
    first = run(root, "check")
    assert first.returncode == 1
    *per_file, total = first.stdout.splitlines()
    assert "@@" not in first.stdout and re.match(r"\d+ file\(s\) differ", total)
    assert all(re.match(r"^\S+:\d+:1: \[error\] drift-", line) for line in per_file)
    assert re.search(r"^\.github/workflows/ci\.yml:1:1: .* \(\+\d+ -0\)$", first.stdout,
                     re.MULTILINE)
    assert "`pipelinegen check --diff`" in first.stdout
    assert "--force" not in first.stderr  # nothing was edited: plain generate is the fix
    assert run(root, "generate").returncode == 0
    assert run(root, "check").returncode == 0
    day1 = commit_all(root, "generate")
    return day1


def pin_bases(root: Path, day1: str) -> str:
    # pin: the python digest was stale. pin says the generated files are stale now, and true.
    pinned = run(root, "pin")
    assert pinned.returncode == 0, pinned.stderr
    assert "1 base(s) updated" in pinned.stdout
    assert "generated files are now stale: run `pipelinegen generate`" in pinned.stdout
    assert run(root, "check").returncode == 1
    git(root, "checkout", "-q", "--", "services.yaml")
    regenerated = run(root, "pin", "--generate")
    assert "updated  generated/docker/api.Dockerfile" in regenerated.stdout, regenerated.stdout
    assert run(root, "check").returncode == 0
    day2 = commit_all(root, "pin")
    assert changes.split(root, "services.yaml", day1, day2) == (
        ["api", "courier", "stock", "worker"], [])  # a new base: rebuilt
    return day2


def replicas_only(root: Path, day2: str) -> str:
    # Replicas only: deployed with the running image, and the review says so.
    edit(root, "replicas: 4", "replicas: 6")
    assert run(root, "generate").returncode == 0
    day3 = commit_all(root, "more renderers in production")
    assert changes.split(root, "services.yaml", day2, day3) == (["renderer"], ["renderer"])
    review = run(root, "diff", "--base", day2, "--head", day3, "--format", "markdown")
    assert DEPLOY_ONLY in review.stdout[review.stdout.index("#### `renderer`"):]
    built = run(root, "affected", "--base", day2, "--head", day3, "--only", "build",
                "--format", "json")
    assert built.stdout == "[]\n"
    return day3


def egress(root: Path, day3: str) -> str:
    # The api needs its database outside the cluster: egress in the model, no hand edit.
    edit(root, "        SHOP_WEBHOOK_TOKEN: {secret: api-webhooks, key: token}\n",
         "        SHOP_WEBHOOK_TOKEN: {secret: api-webhooks, key: token}\n"
         "      egress:\n        - cidr: 10.20.0.0/16\n          ports: [5432]\n")
    assert run(root, "generate").returncode == 0
    values = YAML(typ="safe").load((root / "generated/helm/api/values.yaml").read_text())
    assert values["egress"] == [{"cidr": "10.20.0.0/16", "except": [], "namespace": "",
                                 "pods": {}, "ports": [5432], "protocol": "TCP"}]
    # ... and what the model does not cover goes into the repository's own values file.
    own = root / "deploy/values/api-production.yaml"
    own.parent.mkdir(parents=True)
    own.write_text("networkPolicy:\n  extraEgress:\n    - to: [{ipBlock: {cidr: 192.0.2.0/24}}]\n")
    assert run(root, "generate").returncode == 0 and run(root, "check").returncode == 0
    assert own.read_text().startswith("networkPolicy:")  # generate left it alone
    day4 = commit_all(root, "api reaches its database")
    assert changes.split(root, "services.yaml", day3, day4) == (["api"], ["api"])
    return day4


def hand_edit(root: Path) -> None:
    # A hand edit of a generated file: check points at the line and says how to fix it.
    chart_values = root / "generated/helm/web/values.yaml"
    edit(root, "replicas: 2", "replicas: 5", "generated/helm/web/values.yaml")
    drift = run(root, "check")
    assert drift.returncode == 1
    where = f"generated/helm/web/values.yaml:{line_of(chart_values, 'replicas: 5')}:1:"
    assert f"{where} [error] drift-hand-edited" in drift.stdout
    assert "`pipelinegen generate --force`" in drift.stdout + drift.stderr
    assert run(root, "generate").returncode == 1  # refuses, as the hint says
    assert run(root, "generate", "--force").returncode == 0
    assert run(root, "check").returncode == 0


def new_service(root: Path, day4: str) -> str:
    # A new service with mistakes: every error at once, none says it wrote something.
    with (root / "services.yaml").open("a") as stream:
        stream.write("\n  notifier:\n    path: services/notifier\n    stack: python\n"
                     "    port: 0\n    callers: [mailer]\n")
    bad = run(root, "check")
    assert bad.returncode == 2
    assert "services.notifier.port: Input should be greater" in bad.stderr
    assert "services.notifier.callers[0]: no service named 'mailer'" in bad.stderr
    assert "nothing was written" not in bad.stderr
    edit(root, "    port: 0\n    callers: [mailer]\n", "    port: 8085\n")
    (root / "services/notifier").mkdir()
    (root / "services/notifier/requirements.txt").write_text("")
    assert run(root, "generate").returncode == 0
    day5 = commit_all(root, "notifier")
    assert changes.split(root, "services.yaml", day4, day5) == (["notifier"], [])
    return day5


def rename(root: Path, day5: str) -> str:
    # Rename renderer: its old release is the one the deploys uninstall.
    edit(root, "  renderer:\n", "  rasteriser:\n")
    assert run(root, "generate").returncode == 0
    day6 = commit_all(root, "rename renderer")
    removed = run(root, "affected", "--base", day5, "--head", day6, "--only", "removed",
                  "--format", "json")
    assert removed.stdout == '["renderer"]\n'
    # The releases of every service and backing service of the model stay.
    assert prune_keeps(root) == ("api cache courier docs imposer invoices ledger notifier"
                                 " rasteriser stock web worker")
    return day6


def remove(root: Path, day6: str) -> None:
    # Remove docs; the production prune (real bash, helm stand-in) uninstalls docs and
    # renderer, and leaves alone what pipelinegen did not install.
    start = (root / "services.yaml").read_text().index("  docs:\n")
    text = (root / "services.yaml").read_text()
    end = text.index("\n\n", start) if "\n\n" in text[start:] else len(text)
    (root / "services.yaml").write_text(text[:start] + text[end:].lstrip("\n"))
    assert run(root, "generate").returncode == 0
    day7 = commit_all(root, "remove docs")
    assert run(root, "affected", "--base", day6, "--head", day7, "--only", "removed",
               "--format", "json").stdout == '["docs"]\n'
    state, charts = root.parent / "state.json", root.parent / "charts.json"
    installed = {"api": "api-0.1.0+0123456789ab", "docs": "docs-0.1.0+0123456789ab",
                 "renderer": "renderer-0.1.0+0123456789ab", "postgres": "postgresql-15.5.0"}
    state.write_text(json.dumps({name: [{}] for name in installed}))
    charts.write_text(json.dumps(installed))
    jobs = deploy_workflow(root)["jobs"]
    assert isinstance(jobs, dict)
    step = jobs["prune-production"]["steps"][-1]
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        capture_output=True, text=True, check=False,
        env={**os.environ, **step["env"], "PATH": f"{FAKES}{os.pathsep}{os.environ['PATH']}",
             "HELM_STATE": str(state), "HELM_LOG": str(root.parent / "helm.log"),
             "HELM_CHARTS": str(charts)})
    assert done.returncode == 0, done.stderr
    assert sorted(json.loads(state.read_text())) == ["api", "postgres"]


def missing_bases(root: Path) -> None:
    # A go service without the bases its stack needs: told which, with the lines to add.
    text = (root / "services.yaml").read_text()
    text = re.sub(r"^  go: .*\n", "", text, flags=re.MULTILINE)
    (root / "services.yaml").write_text(text)
    missing = run(root, "check")
    assert missing.returncode == 2
    assert "services.rasteriser.stack: stack 'go' needs the base image 'go' (build stage)" \
        in missing.stderr
    assert re.search(r"bases:\n +  go: golang:1\.25-bookworm\n", missing.stderr), missing.stderr


def test_a_week_of_changes(repo: Path) -> None:
    day1 = day_one(repo)
    day2 = pin_bases(repo, day1)
    day3 = replicas_only(repo, day2)
    day4 = egress(repo, day3)
    hand_edit(repo)
    day5 = new_service(repo, day4)
    day6 = rename(repo, day5)
    remove(repo, day6)
    missing_bases(repo)
