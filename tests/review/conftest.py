"""Fixtures of the review tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelinegen import emit
from tests.support.review import PROJECT_ROOT, Repo, sample_emitter


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    """The bundled services.yaml, generated and committed as the first commit on main."""
    yield _make_repo(tmp_path, monkeypatch)


@pytest.fixture
def sample_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    """Like `repo`, with one more emitter registered that writes files per service."""
    monkeypatch.setattr(emit, "EMITTERS", (*emit.EMITTERS, sample_emitter))
    yield _make_repo(tmp_path, monkeypatch)


def _make_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    for name, value in (("GIT_AUTHOR_NAME", "Reviewer"), ("GIT_AUTHOR_EMAIL", "r@example.com"),
                        ("GIT_COMMITTER_NAME", "Reviewer"),
                        ("GIT_COMMITTER_EMAIL", "r@example.com"),
                        ("GIT_CONFIG_GLOBAL", os.devnull), ("GIT_CONFIG_NOSYSTEM", "1")):
        monkeypatch.setenv(name, value)
    path = tmp_path / "monorepo"
    path.mkdir()
    shutil.copy(PROJECT_ROOT / "services.yaml", path / "services.yaml")
    created = Repo(path)
    created.git("init", "-q", "-b", "main")
    created.generate()
    created.commit("Printloop services")
    return created

