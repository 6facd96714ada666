"""The release as an index would see it: `python -m build` makes a wheel and an sdist that pass
`twine check`, install into clean virtual environments with their data files, and run; and a
pinned git commit in `project.ci.pipelinegen` is refused unless it is the pipelinegen running.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from pipelinegen import __version__
from tests.support.gitrepo import commit_all, git

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
MINIMAL = REPO / "tests" / "cases" / "minimal" / "services.yaml"


def run(*argv: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, f"{argv}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package's sources as a git repository of their own, one commit."""
    root = tmp_path_factory.mktemp("source") / "pipelinegen"
    root.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "pipelinegen", root / "pipelinegen",
                    ignore=shutil.ignore_patterns("__pycache__"))
    git(root, "init", "-q")
    commit_all(root, "release")
    return root


@pytest.fixture(scope="module")
def dist(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, source)
    return out


def fresh_venv(path: Path) -> Path:
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    return path / "bin"


def test_wheel_and_sdist_pass_twine_check(dist: Path) -> None:
    names = sorted(p.name for p in dist.iterdir())
    assert names == [f"pipelinegen-{__version__}-py3-none-any.whl",
                     f"pipelinegen-{__version__}.tar.gz"]
    done = run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))
    assert done.stdout.count("PASSED") == 2, done.stdout


@pytest.mark.parametrize("kind", ["whl", "tar.gz"])
def test_each_distribution_installs_and_generates_with_its_data_files(
        dist: Path, tmp_path: Path, kind: str) -> None:
    bin_dir = fresh_venv(tmp_path / "venv")
    (package,) = dist.glob(f"*.{kind}")
    run(bin_dir / "pip", "install", "-q", package)
    assert run(bin_dir / "pipelinegen", "--version").stdout.strip() == (
        f"pipelinegen, version {__version__}")
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(REPO / "tests/cases/all-stacks/services.yaml", repo / "services.yaml")
    run(bin_dir / "pipelinegen", "generate", cwd=repo)
    # The shipped data files: the Go file server (pipelinegen/data) and the action pins.
    assert (repo / "generated/docker/pipelinegen-httpd.go").read_text().count("package main")
    manifest = json.loads((repo / "generated/.pipelinegen-manifest.json").read_text())
    assert manifest["version"] == __version__
    run(bin_dir / "pipelinegen", "check", cwd=repo)


def test_a_pinned_git_commit_is_installed_by_ci_only_when_it_wrote_the_files(
        dist: Path, source: Path, tmp_path: Path) -> None:
    bin_dir = fresh_venv(tmp_path / "venv")
    (wheel,) = dist.glob("*.whl")
    run(bin_dir / "pip", "install", "-q", wheel)  # its dependencies
    commit = git(source, "rev-parse", "HEAD")
    run(bin_dir / "pip", "install", "-q", "--no-deps", "--force-reinstall",
        f"git+file://{source}@{commit}")
    repo = tmp_path / "repo"
    repo.mkdir()
    pinned = f"git+https://github.com/acme/pipelinegen@{commit}"
    text = MINIMAL.read_text().replace("\nbases:", f"\n  ci: {{pipelinegen: '{pinned}'}}\nbases:")
    (repo / "services.yaml").write_text(text)
    run(bin_dir / "pipelinegen", "generate", cwd=repo)
    ci = YAML(typ="safe").load((repo / ".github/workflows/ci.yml").read_text())
    install = next(s for s in ci["jobs"]["changes"]["steps"] if s["name"] == "Install pipelinegen")
    assert install["env"]["REQUIREMENT"] == f"pipelinegen[docker] @ {pinned}"
    # Another commit: the files this pipelinegen writes are not that commit's.
    (repo / "services.yaml").write_text(text.replace(commit, "0" * 40))
    done = subprocess.run([bin_dir / "pipelinegen", "check"], cwd=repo, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"this pipelinegen was installed from commit {commit[:12]}" in done.stderr
