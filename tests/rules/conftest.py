"""Fixtures of the rule tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.charts import make_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the example repository with its generated files and contract Dockerfiles."""
    return make_repo(tmp_path)
