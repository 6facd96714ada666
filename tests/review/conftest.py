"""Fixtures of the review tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelinegen import emit
from tests.support.review import Repo, make_repo, sample_emitter


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    """The bundled services.yaml, generated and committed as the first commit on main."""
    yield make_repo(tmp_path, monkeypatch)


@pytest.fixture
def sample_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    """Like `repo`, with one more emitter registered that writes files per service."""
    monkeypatch.setattr(emit, "EMITTERS", (*emit.EMITTERS, sample_emitter))
    yield make_repo(tmp_path, monkeypatch)
