"""Fixtures of the chart tests."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import helm_python
import kubernetes_validate
import pytest

from pipelinegen.model import Model
from tests.support.charts import MODEL, make_repo


@pytest.fixture(scope="session")
def sdk() -> ModuleType:
    return helm_python


@pytest.fixture(scope="session")
def kube() -> ModuleType:
    return kubernetes_validate


@pytest.fixture(scope="session")
def model() -> Model:
    return MODEL


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the example repository with its generated files and contract Dockerfiles."""
    return make_repo(tmp_path)
