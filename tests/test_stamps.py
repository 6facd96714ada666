"""Charts taken from disk by their stamps (reuse.py): never read back while unchanged, and never
trusted once anything about a file changed, even with its size and mtime put back."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelinegen.core import cache as caching
from pipelinegen.core.errors import FindingsError, PipelinegenError
from pipelinegen.generation import plan, reuse
from pipelinegen.generation.workspace import Workspace
from tests.support.incremental import Data, generate, synthetic_tree, write_model

CHART = "generated/helm/svc-0001/values.yaml"


@pytest.fixture
def stamped(tmp_path: Path) -> Iterator[tuple[Path, Data]]:
    """A tree generated, then generated again once its files are older than the second run's
    lock (a coarse clock ticks every few milliseconds): the second run, which a comment in the
    services file keeps from being a no-op, reads the charts back and records their stamps."""
    root = tmp_path / "repo"
    data = synthetic_tree(root, 4)
    generate(root)
    time.sleep(0.05)
    with (root / "services.yaml").open("a") as services:
        services.write("# a comment: the same model\n")
    generate(root)
    assert reuse.recorded_stamps(caching.at(root, writable=False))["helm"].keys() == {
        "svc-0000", "svc-0001", "svc-0002", "svc-0003"}
    yield root, data


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every generated path read from disk from now on (the real reader, watched)."""
    seen: list[str] = []
    real = plan.read_all

    def watched(root: Path, paths: list[str]) -> dict[str, bytes | None]:
        paths = list(paths)
        seen.extend(paths)
        return real(root, paths)

    monkeypatch.setattr(plan, "read_all", watched)
    return seen


def _change_one(root: Path, data: Data) -> None:
    data["services"]["svc-0003"]["deploy"] = {"replicas": 7}
    assert write_model(root, data)


def test_a_one_service_change_reads_back_no_chart_it_takes_by_its_stamps(
        stamped: tuple[Path, Data], reads: list[str]) -> None:
    root, data = stamped
    _change_one(root, data)
    written = generate(root)
    charts = {path.split("/")[2] for path in reads if path.startswith("generated/helm/")}
    assert charts == {"svc-0003"}  # its own chart, compared before it is written
    assert {p for p in written.reused if p.startswith("generated/helm/svc-0001/")}
    # Asked for, the bytes of the charts taken are read then: those of a full render.
    full = plan.make(Workspace.locate(root / "services.yaml", root).inputs)
    assert written.files == full.files


def test_a_file_edited_with_its_size_and_mtime_put_back_is_still_found(
        stamped: tuple[Path, Data]) -> None:
    root, data = stamped
    target = root / CHART
    before = target.stat()
    text = target.read_bytes()
    target.write_bytes(text.replace(b"replicaCount: ", b"replicaCount:\t", 1)
                       if b"replicaCount: " in text else text[:-1] + b"#")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size, before.st_mtime_ns, before.st_ino)
    _change_one(root, data)
    ws = Workspace.locate(root / "services.yaml", root, writes=True)
    assert CHART not in ws.plan.reused
    assert ws.compare().hand_edited == [CHART]
    with pytest.raises(FindingsError, match="edited by hand"):
        generate(root)


def test_a_chart_file_replaced_by_a_link_to_its_own_bytes_is_refused(
        stamped: tuple[Path, Data]) -> None:
    root, _ = stamped
    target = root / CHART
    copy = root / "values-copy.yaml"
    copy.write_bytes(target.read_bytes())
    target.unlink()
    target.symlink_to(copy)
    with pytest.raises(PipelinegenError, match="symbolic link"):
        Workspace.locate(root / "services.yaml", root).compare()


def test_bytes_of_a_file_taken_by_its_stamps_that_then_changes_are_an_error(
        stamped: tuple[Path, Data]) -> None:
    root, _ = stamped
    ws = Workspace.locate(root / "services.yaml", root)
    taken = ws.plan
    assert CHART in taken.reused
    (root / CHART).write_text("changed meanwhile\n")
    with pytest.raises(PipelinegenError, match=f"{CHART} changed while pipelinegen read it"):
        taken.files[CHART]


def test_files_written_by_a_run_are_not_stamped_by_it(stamped: tuple[Path, Data]) -> None:
    root, data = stamped
    _change_one(root, data)
    generate(root)
    recorded = reuse.recorded_stamps(caching.at(root, writable=False))["helm"]
    assert sorted(recorded) == ["svc-0000", "svc-0001", "svc-0002"]


def test_only_files_changed_before_the_lock_was_taken_are_stamped(tmp_path: Path) -> None:
    cache = caching.at(tmp_path, writable=True)
    assert cache is not None
    stamps = {"helm": {"old": reuse.Stamp("a", 99), "racy": reuse.Stamp("b", 100),
                       "new": reuse.Stamp("c", 101)}}
    reuse.remember_stamps(cache, stamps, since_ns=100)
    cache.commit()
    assert reuse.recorded_stamps(caching.at(tmp_path, writable=False)) == {"helm": {"old": "a"}}


@pytest.mark.parametrize("stored", [b"not json", b"[]", b'{"helm": {"svc": 1}}'])
def test_a_damaged_stamp_record_trusts_nothing(tmp_path: Path, stored: bytes) -> None:
    cache = caching.at(tmp_path, writable=True)
    assert cache is not None
    cache.write(reuse.STAMPS, reuse._STAMPS_KEY, stored)
    cache.commit()
    assert reuse.recorded_stamps(caching.at(tmp_path, writable=False)) == {}
