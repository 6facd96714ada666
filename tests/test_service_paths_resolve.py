"""service_paths._realpath, which shares one lstat per directory between paths, resolves every
path as os.path.realpath does: through links inside and outside the repository, links to links,
missing paths, files where a directory is expected."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelinegen.core import service_paths

NAMES = ["services", "packages", "a", "b", "inside", "outside", "loop", "file", "missing"]


def tree(tmp: Path) -> Path:
    root = tmp / "repo"
    (root / "services/a/b").mkdir(parents=True)
    (root / "packages/a").mkdir(parents=True)
    (root / "services/file").write_text("x")
    (tmp / "elsewhere/a").mkdir(parents=True, exist_ok=True)
    links = {"services/inside": "a", "services/outside": "../../elsewhere",
             "packages/b": "../services/inside", "loop": "loop", "services/a/outside": "/tmp"}
    for link, target in links.items():
        if not (root / link).is_symlink():
            (root / link).symlink_to(target)
    return root


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tree(tmp_path_factory.mktemp("resolve"))


@settings(max_examples=200, deadline=None)
@given(paths=st.lists(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4), min_size=1,
                      max_size=12))
def test_resolving_shared_directories_once_is_realpath(shared: Path,
                                                       paths: list[list[str]]) -> None:
    root = shared
    real_root = os.path.realpath(root)
    known: dict[str, str] = {}
    for parts in paths:
        path = "/".join(parts)
        assert service_paths._realpath(root, real_root, path, known) == \
            os.path.realpath(root / path), path


def test_a_link_out_of_the_repository_is_still_found(tmp_path: Path) -> None:
    root = tree(tmp_path)
    assert not service_paths.all_fine(["services/a", "services/outside/a"], root)
    assert service_paths.all_fine(["services/a", "services/inside/b", "packages/b"], root)
