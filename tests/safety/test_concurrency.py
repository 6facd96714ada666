"""Runs that overlap or die: the generate lock, and what a killed run leaves for the next."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pipelinegen.core.layout import LOCK
from pipelinegen.generation import reuse, writer
from tests.support.safety import pipelinegen, snapshot

BUSY = "another `pipelinegen generate` is running in this repository"


def test_a_second_run_is_refused_while_another_holds_the_lock(repo: Path) -> None:
    assert pipelinegen("generate", cwd=repo).returncode == 0
    (repo / "services.yaml").write_text((repo / "services.yaml").read_text()
                                        .replace("port: 8080", "port: 9090"))
    holder = subprocess.Popen(  # another process holding the lock, as a running generate does
        [sys.executable, "-c", "import fcntl, os, sys, time\n"
         f"fd = os.open({str(repo / LOCK)!r}, os.O_RDWR | os.O_CREAT)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(60)\n"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        before = snapshot(repo)
        result = pipelinegen("generate", cwd=repo)
        assert result.returncode == 2
        assert f"error: {BUSY} (it holds {LOCK})" in result.stderr
        assert "hint: wait for it to finish" in result.stderr
        assert snapshot(repo) == before
    finally:
        holder.kill()
        holder.wait()
    # The holder is gone (killed: the kernel released its lock): the next run proceeds.
    assert pipelinegen("generate", cwd=repo).returncode == 0
    assert not (repo / LOCK).exists()  # removed on release
    assert pipelinegen("check", cwd=repo).returncode == 0


def test_concurrent_runs_never_crash_and_leave_a_current_tree(example_repo: Path) -> None:
    """Eight real processes at once on the bundled example: each writes or is refused."""
    runs = [subprocess.Popen([sys.executable, "-m", "pipelinegen", "generate"],
                             cwd=example_repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(8)]
    results = [(run.wait(timeout=300), *run.communicate()) for run in runs]
    for code, _, err in results:
        assert "Traceback" not in err
        assert code == 0 or (code == 2 and BUSY in err), err
    assert any(code == 0 for code, _, _ in results)
    assert pipelinegen("check", cwd=example_repo).returncode == 0
    assert not any(writer.TEMP.fullmatch(p.name) for p in example_repo.rglob("*"))


def test_the_lock_is_released_on_an_error(repo: Path) -> None:
    (repo / "generated/docker/api.Dockerfile").mkdir(parents=True)
    assert pipelinegen("generate", cwd=repo).returncode == 2
    assert not (repo / LOCK).exists()
    with open(os.open(repo / LOCK, os.O_RDWR | os.O_CREAT), "rb") as stale:
        fcntl.flock(stale, fcntl.LOCK_EX | fcntl.LOCK_NB)  # nobody holds it
    (repo / LOCK).unlink()


def test_a_killed_run_leaves_whole_files_and_the_next_run_cleans_up(example_repo: Path) -> None:
    """kill -9 in the middle of writing, at several moments; then one run repairs everything."""
    fresh = example_repo.parent / "fresh"
    fresh.mkdir()
    subprocess.run(["cp", "-a", f"{example_repo}/.", str(fresh)], check=True)
    assert pipelinegen("generate", cwd=fresh).returncode == 0
    expected = snapshot(fresh)
    for delay in (0.6, 0.9, 1.2, 1.5):
        run = subprocess.Popen([sys.executable, "-m", "pipelinegen", "generate", "--force"],
                               cwd=example_repo, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        time.sleep(delay)
        run.send_signal(signal.SIGKILL)
        run.wait()
        for path, data in snapshot(example_repo).items():  # each file is absent or whole
            if isinstance(data, bytes) and path in expected and not path.endswith("lock"):
                assert data == expected[path], path
    # Temporary files as an interrupted run leaves them, in case the kills missed the writes.
    planted = example_repo / "generated/docker/.api.Dockerfile.0123456789abcdef.pipelinegen-tmp"
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_bytes(b"half a Dockerf")
    (example_repo / LOCK).write_text("")  # and the lock file a killed run leaves
    result = pipelinegen("generate", "--force", cwd=example_repo)
    assert result.returncode == 0, result.stderr
    assert "removed  generated/docker/.api.Dockerfile.0123456789abcdef.pipelinegen-tmp" in (
        result.stdout)
    # The charts' stamps are their inodes and times: another tree's, by nature.
    assert _without_stamps(snapshot(example_repo)) == _without_stamps(expected)


def _without_stamps(tree: dict[str, object]) -> dict[str, object]:
    return {path: data for path, data in tree.items()
            if not path.startswith(f".pipelinegen_cache/{reuse.STAMPS}-")}


def test_after_a_clean_run_only_the_written_directories_are_searched(repo: Path) -> None:
    """Without a lock file left behind, no run was killed: only where it writes is searched."""
    assert pipelinegen("generate", cwd=repo).returncode == 0
    untouched = repo / "specs/.services.schema.json.0123456789abcdef.pipelinegen-tmp"
    touched = repo / "generated/helm/api/.values.yaml.0123456789abcdef.pipelinegen-tmp"
    for path in (untouched, touched):
        path.write_text("left over")
    (repo / "services.yaml").write_text((repo / "services.yaml").read_text()
                                        .replace("port: 8080", "port: 9090"))
    result = pipelinegen("generate", cwd=repo)
    assert result.returncode == 0
    assert not touched.exists() and untouched.exists()
    (repo / LOCK).write_text("")
    assert "removed  specs/.services.schema.json." in pipelinegen("generate", cwd=repo).stdout
    assert not untouched.exists()
