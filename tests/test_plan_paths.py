"""The plan's path checks, resolved once per directory, still refuse every way out of the root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelinegen.core.errors import PipelinegenError
from pipelinegen.generation import plan, writer


def _plan(paths: list[str]) -> plan.Plan:
    outputs = {path: f"{path}\n".encode() for path in sorted(paths)}
    return plan.Plan({**outputs, plan.MANIFEST: plan.manifest_bytes(outputs, "services.yaml")})


def test_many_files_are_written_then_compare_clean(tmp_path: Path) -> None:
    wanted = _plan([f"generated/helm/svc-{i}/templates/{name}.yaml"
                    for i in range(30) for name in ("deployment", "service")])
    summary = writer.write_changes(plan.compare(wanted, tmp_path), tmp_path)
    assert len(summary.created) == len(wanted.files)
    for path, data in wanted.files.items():
        assert (tmp_path / path).read_bytes() == data
        assert (tmp_path / path).stat().st_mode & 0o777 == 0o644
    assert plan.compare(wanted, tmp_path).clean


def test_a_symlinked_directory_leading_outside_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "repo", tmp_path / "outside"
    (root / "generated").mkdir(parents=True)
    outside.mkdir()
    os.symlink(outside, root / "generated" / "helm")
    wanted = _plan(["generated/docker/a.Dockerfile", "generated/helm/a/Chart.yaml"])
    with pytest.raises(PipelinegenError, match="resolves outside the repository"):
        plan.compare(wanted, root)
    assert not any(outside.iterdir())


def test_a_symlinked_file_leading_outside_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "generated" / "docker").mkdir(parents=True)
    (tmp_path / "secret").write_text("x")
    os.symlink(tmp_path / "secret", root / "generated" / "docker" / "b.Dockerfile")
    wanted = _plan(["generated/docker/a.Dockerfile", "generated/docker/b.Dockerfile"])
    with pytest.raises(PipelinegenError, match="resolves outside the repository"):
        plan.compare(wanted, root)
    assert (tmp_path / "secret").read_text() == "x"


@pytest.mark.parametrize("size", [0, 1, (1 << 16) - 1, 1 << 16, (1 << 16) + 1, 3 << 20])
def test_files_of_any_size_are_read_whole(tmp_path: Path, size: int) -> None:
    # One read serves a small file; one of the first read's size or larger is read to its end.
    data = bytes(i % 251 for i in range(size))
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "f").write_bytes(data)
    assert plan.read_all(tmp_path, ["generated/f", "generated/absent"]) == {
        "generated/f": data, "generated/absent": None}
