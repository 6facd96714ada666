"""`pipelinegen pin-actions` against real local bare repositories, and the lock as an input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.gitrepo import commit_all, git

ACTIONS = ("actions/checkout", "docker/build-push-action")


def make_action_repo(base: Path, action: str) -> dict[str, str]:
    """A bare repo at <base>/<owner>/<repo> with tags; returns {tag: commit it names}."""
    owner, name = action.split("/")
    work = base / "work" / owner / name
    work.mkdir(parents=True)
    git(work, "init", "-q")
    (work / "action.yml").write_text("name: one\n")
    first = commit_all(work, "one")
    git(work, "tag", "v1.0.0")  # lightweight: the ref names the commit
    (work / "action.yml").write_text("name: two\n")
    second = commit_all(work, "two")
    git(work, "tag", "-a", "v2.0.0", "-m", "release 2")  # annotated: the ref names a tag object
    bare = base / owner / name
    bare.parent.mkdir(parents=True, exist_ok=True)
    git(base, "clone", "-q", "--bare", str(work), str(bare))
    return {"v1.0.0": first, "v2.0.0": second,
            "tag-object": git(bare, "rev-parse", "refs/tags/v2.0.0")}


@pytest.fixture
def servers(tmp_path: Path) -> tuple[Path, dict[str, dict[str, str]]]:
    base = tmp_path / "git-server"
    return base, {action: make_action_repo(base, action) for action in ACTIONS}


def pin(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipelinegen", "pin-actions", "--root",
                           str(root), *args], capture_output=True, text=True, check=False)


def write_lock(root: Path, entries: dict[str, tuple[str, str]]) -> Path:
    lock = root / ".github" / "actions.lock.json"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text(json.dumps({"version": 1, "actions": {
        action: {"tag": tag, "sha": sha} for action, (tag, sha) in entries.items()}}, indent=2))
    return lock


def test_lightweight_and_annotated_tags_resolve_to_commits(
    tmp_path: Path, servers: tuple[Path, dict[str, dict[str, str]]]
) -> None:
    base, tags = servers
    root = tmp_path / "repo"
    lock = write_lock(root, {"actions/checkout": ("v1.0.0", "0" * 40)})
    done = pin(root, "--base-url", f"file://{base}", "docker/build-push-action@v2.0.0")
    assert done.returncode == 0, done.stderr
    data = json.loads(lock.read_text())
    assert data["actions"] == {
        "actions/checkout": {"tag": "v1.0.0", "sha": tags["actions/checkout"]["v1.0.0"]},
        "docker/build-push-action": {"tag": "v2.0.0",
                                     "sha": tags["docker/build-push-action"]["v2.0.0"]},
    }
    # The annotated tag's own object is not a commit and must not be what gets pinned.
    assert tags["docker/build-push-action"]["tag-object"] != tags[
        "docker/build-push-action"]["v2.0.0"]
    assert "actions/checkout: v1.0.0 000000000000 ->" in done.stdout


def test_a_plain_path_works_as_base_url_and_check_passes_when_current(
    tmp_path: Path, servers: tuple[Path, dict[str, dict[str, str]]]
) -> None:
    base, tags = servers
    root = tmp_path / "repo"
    write_lock(root, {"actions/checkout": ("v2.0.0", tags["actions/checkout"]["v2.0.0"])})
    pin(root, "--base-url", str(base))  # normalise the file's formatting
    done = pin(root, "--base-url", str(base), "--check")
    assert done.returncode == 0, done.stderr


def test_check_reports_a_moved_tag_and_writes_nothing(
    tmp_path: Path, servers: tuple[Path, dict[str, dict[str, str]]]
) -> None:
    base, tags = servers
    root = tmp_path / "repo"
    stale = tags["actions/checkout"]["v1.0.0"]
    lock = write_lock(root, {"actions/checkout": ("v2.0.0", stale)})
    before = lock.read_text()
    done = pin(root, "--base-url", str(base), "--check")
    assert done.returncode == 1
    assert "not current" in done.stderr and "actions/checkout" in done.stderr
    assert lock.read_text() == before


def test_unknown_tag_is_a_usage_error(
    tmp_path: Path, servers: tuple[Path, dict[str, dict[str, str]]]
) -> None:
    base, _ = servers
    root = tmp_path / "repo"
    write_lock(root, {})
    done = pin(root, "--base-url", str(base), "actions/checkout@v9.9.9")
    assert done.returncode == 2
    assert "no tag 'v9.9.9'" in done.stderr and "Traceback" not in done.stderr


def test_malformed_lock_is_located(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    lock = write_lock(root, {"actions/checkout": ("v5.0.0", "abc")})
    done = pin(root, "--check")
    assert done.returncode == 2
    line = next(n for n, text in enumerate(lock.read_text().splitlines(), 1) if '"sha"' in text)
    assert f".github/actions.lock.json:{line}:" in done.stderr
    assert "not a full commit SHA" in done.stderr
    lock.write_text('{"version": 1,\n "actions": {,}}\n')
    done = pin(root, "--check")
    assert done.returncode == 2
    assert ".github/actions.lock.json:2:14: [error] actions-lock: invalid JSON" in done.stderr


def test_malformed_lock_stops_generate_with_nothing_written(tmp_path: Path) -> None:
    from tests.support.gitrepo import REPO_ROOT

    root = tmp_path / "repo"
    root.mkdir()
    (root / "services.yaml").write_text((REPO_ROOT / "services.yaml").read_text())
    write_lock(root, {"actions/checkout": ("v5.0.0", "not-a-sha")})
    done = subprocess.run([sys.executable, "-m", "pipelinegen", "generate", "--file",
                           str(root / "services.yaml")], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 2
    assert ".github/actions.lock.json:" in done.stderr
    assert not (root / ".github" / "workflows").exists()


def test_lock_change_is_drift(tmp_path: Path) -> None:
    """The lock is an input: pinning another commit changes the generated workflows."""
    from pipelinegen import actions_lock
    from pipelinegen.workspace import Workspace, actions_at, disk_reader
    from tests.support.gitrepo import REPO_ROOT

    root = tmp_path / "repo"
    root.mkdir()
    (root / "services.yaml").write_text((REPO_ROOT / "services.yaml").read_text())
    pins = actions_at(disk_reader(root), "")
    before = Workspace.locate(root / "services.yaml", root).plan.files
    other = "f" * 40
    lock = dict(pins) | {"actions/checkout": type(pins["actions/checkout"])(
        "actions/checkout", "v5.0.1", other)}
    (root / ".github").mkdir()
    (root / actions_lock.LOCK).write_text(actions_lock.dumps(lock))
    after = Workspace.locate(root / "services.yaml", root).plan.files
    changed = sorted(path for path in after if after[path] != before.get(path))
    assert ".github/workflows/ci.yml" in changed
    assert f"actions/checkout@{other} # v5.0.1".encode() in after[".github/workflows/ci.yml"]


def test_shipped_default_lock_matches_the_repository_lock() -> None:
    from pipelinegen import actions_lock
    from pipelinegen.workspace import actions_at, disk_reader
    from tests.support.gitrepo import REPO_ROOT

    shipped = actions_lock.parse(actions_lock.default_text(), "x")
    assert actions_at(disk_reader(REPO_ROOT), "") == shipped
