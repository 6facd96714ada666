"""A tree recorded as current (verified.py): `check` trusts the record only for the very state a
full check finds current, and otherwise runs the full check, which reports as it always did.

The property: after a generate, damage the tree at random (a generated file edited, removed or
replaced by a link, the notes or kept lines edited, the services file or the action lock
changed, a service path turned into a link out of the repository, the record itself damaged),
and whenever the record gives a verdict, the full comparison is current with the same count.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelinegen.commands.check import check as check_command
from pipelinegen.commands.generate import generate as write_all
from pipelinegen.core import cache as caching
from pipelinegen.core import layout
from pipelinegen.core.errors import FindingsError, PipelinegenError
from pipelinegen.generation import plan, verified
from pipelinegen.generation.workspace import Workspace
from tests.support.gitrepo import REPO_ROOT


def bundled(root: Path) -> None:
    root.mkdir(parents=True)
    for folder in ("services", "packages", ".github"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    shutil.copy(REPO_ROOT / "services.yaml", root / "services.yaml")


def generate(root: Path) -> None:
    write_all(Workspace.locate(root / "services.yaml", root, writes=True), False, frozenset(),
              lambda line: None)


def reader(root: Path) -> Workspace:
    return Workspace.locate(root / "services.yaml", root)


def full(root: Path) -> int | None:
    """What the full check finds: the count of current files, or None (drift or an error)."""
    try:
        comparison = reader(root).compare()
    except PipelinegenError:
        return None
    return len(comparison.unchanged) if comparison.clean else None


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pristine") / "repo"
    bundled(root)
    generate(root)
    return root


def copy(pristine: Path, target: Path) -> Path:
    shutil.copytree(pristine, target, symlinks=True)
    return target


def test_a_generated_tree_is_recorded_current_and_checked_without_a_plan(
        pristine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy(pristine, tmp_path / "repo")
    count = full(root)
    assert count is not None and count > 300

    def refuse(*_: object) -> None:
        raise AssertionError("a plan was rendered")

    monkeypatch.setattr(plan, "make", refuse)
    assert verified.up_to_date(reader(root)) == count
    lines: list[str] = []
    check_command(reader(root), "text", False, False, lines.append)
    assert lines == [f"{count} generated files are up to date"]


def _edit(path: Path, draw: st.DataObject) -> None:
    data = path.read_bytes()
    at = draw.draw(st.integers(0, len(data)), label="at")
    path.write_bytes(data[:at] + draw.draw(st.sampled_from([b"x", b"\n", b"# x\n"]),
                                           label="text") + data[at:])


def _link(root: Path, target: Path, draw: st.DataObject) -> None:
    moved = target.with_name(target.name + ".real")
    target.rename(moved)
    target.symlink_to(moved.name)


def _notes(root: Path, target: Path, draw: st.DataObject) -> None:
    marker = "pipelinegen:notes:begin - hand-written, kept when the file is regenerated -->\n"
    runbook = next((root / "docs/SRE").glob("*.md"))
    runbook.write_text(runbook.read_text().replace(marker, marker + "an operator's note\n", 1))


def _kept(root: Path, target: Path, draw: st.DataObject) -> None:
    owners = root / ".github/CODEOWNERS"
    owners.write_text(owners.read_text().replace(
        "# --- end of kept lines ---", "/extra @acme/someone\n# --- end of kept lines ---"))


def _lock_link(root: Path, target: Path, draw: st.DataObject) -> None:
    lock = root / layout.ACTIONS_LOCK
    lock.rename(root / "lock.json")
    lock.symlink_to("../../lock.json")


def _service_link(root: Path, target: Path, draw: st.DataObject) -> None:
    service = root / "services/api"
    shutil.rmtree(service)
    (root.parent / "outside").mkdir(exist_ok=True)
    service.symlink_to(root.parent / "outside", target_is_directory=True)


def _record(root: Path, target: Path, draw: st.DataObject) -> None:
    for entry in (root / caching.DIRECTORY).glob(f"{verified.KIND}-*"):
        entry.write_bytes(entry.read_bytes()[:-3] + b"}}}")


DAMAGES: dict[str, Callable[[Path, Path, st.DataObject], None]] = {
    "edit": lambda root, target, draw: _edit(target, draw),
    "remove": lambda root, target, draw: target.unlink(),
    "link": _link,
    "notes": _notes,
    "kept": _kept,
    "services": lambda root, target, draw: _edit(root / "services.yaml", draw),
    "lock": lambda root, target, draw: _edit(root / layout.ACTIONS_LOCK, draw),
    "lock-link": _lock_link,
    "service-link": _service_link,
    "record": _record,
    "manifest": lambda root, target, draw: _edit(root / plan.MANIFEST, draw),
    "nothing": lambda root, target, draw: None,
}


def _damage(root: Path, draw: st.DataObject) -> str:
    files = sorted(json.loads((root / plan.MANIFEST).read_text())["files"])
    kind = draw.draw(st.sampled_from(sorted(DAMAGES)), label="damage")
    DAMAGES[kind](root, root / draw.draw(st.sampled_from(files), label="file"), draw)
    return kind


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(draw=st.data())
def test_a_verdict_is_only_ever_what_the_full_check_finds(
        pristine: Path, tmp_path_factory: pytest.TempPathFactory, draw: st.DataObject) -> None:
    root = copy(pristine, tmp_path_factory.mktemp("damaged") / "repo")
    kind = _damage(root, draw)
    verdict = verified.up_to_date(reader(root))
    if verdict is not None:
        assert verdict == full(root), kind
    if kind == "nothing":
        assert verdict is not None


@pytest.mark.parametrize("change", ["code", "no cache", "environment"])
def test_other_code_or_no_cache_gives_no_verdict(pristine: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 change: str) -> None:
    root = copy(pristine, tmp_path / "repo")
    if change == "code":
        monkeypatch.setattr(caching, "code_digest", lambda: "edited")
    elif change == "no cache":
        monkeypatch.setenv(caching.DISABLE, "1")
    else:  # another Python, or a dependency upgraded
        monkeypatch.setattr(caching, "environment", lambda: "other")
    assert verified.up_to_date(reader(root)) is None
    assert full(root) is not None


def test_drift_is_reported_as_before(pristine: Path, tmp_path: Path) -> None:
    root = copy(pristine, tmp_path / "repo")
    dockerfile = root / "generated/docker/api.Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "# edited\n")
    lines: list[str] = []
    with pytest.raises(FindingsError):
        check_command(reader(root), "text", False, False,
                      lambda text, nl=True: lines.append(text))
    assert "generated/docker/api.Dockerfile" in "".join(lines)


def test_check_of_a_current_tree_imports_neither_the_model_nor_the_emitters(
        pristine: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    bundled(root)
    script = Path(sys.executable).parent / "pipelinegen"
    subprocess.run([str(script), "generate"], cwd=root, check=True, capture_output=True)
    probe = ("import sys\nfrom pipelinegen.cli import main\n"
             "try:\n    main(['check'])\nexcept SystemExit:\n    pass\n"
             "print(sorted(n for n in sys.modules if n.split('.')[0] in ('pydantic', 'ruamel')"
             " or n.startswith('pipelinegen.emit')))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True,
                          text=True, check=False, env={**os.environ})
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [f"{full(root)} generated files are up to date", "[]"]


def test_generate_of_a_current_tree_writes_nothing_and_renders_no_plan(
        pristine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy(pristine, tmp_path / "repo")
    count = full(root)
    before = {path: path.stat().st_mtime_ns for path in root.rglob("*") if path.is_file()}

    def refuse(*_: object) -> None:
        raise AssertionError("a plan was rendered")

    monkeypatch.setattr(plan, "make", refuse)
    lines: list[str] = []
    write_all(Workspace.locate(root / "services.yaml", root, writes=True), False, frozenset(),
              lines.append)
    assert lines == [f"0 created, 0 updated, 0 deleted, {count} unchanged"]
    assert {path: path.stat().st_mtime_ns for path in root.rglob("*")
            if path.is_file()} == before


def test_generate_after_an_interrupted_run_cleans_up_as_a_full_run(
        pristine: Path, tmp_path: Path) -> None:
    """A lock file left behind means a run was killed: its temporary files are removed, which
    only the full run does, even though the tree is recorded current."""
    root = copy(pristine, tmp_path / "repo")
    (root / layout.LOCK).write_text("12345\n")
    leftover = root / "generated/helm/api/templates/.service.yaml.0123456789abcdef.pipelinegen-tmp"
    lines: list[str] = []
    leftover.write_text("half")
    write_all(Workspace.locate(root / "services.yaml", root, writes=True), False, frozenset(),
              lines.append)
    assert not leftover.exists() and not (root / layout.LOCK).exists()
    assert any(line.startswith("removed ") for line in lines), lines
