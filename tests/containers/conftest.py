"""Fixtures of the container tests: test bases in the local registry, the demo repository, and
its images built once per session by the real `pipelinegen build`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import bases, demo
from tests.support.demo import Built

TAG = "test"


@pytest.fixture(scope="session")
def base_refs() -> dict[str, str]:
    """Every test base, pinned by its real digest in the local registry."""
    return {name: bases.ensure(name) for name in bases.IMAGE_BASES}


@pytest.fixture(scope="session")
def registry() -> str:
    return f"{bases.REGISTRY}/pipelinegen-demo"


@pytest.fixture(scope="session")
def demo_repo(tmp_path_factory: pytest.TempPathFactory, base_refs: dict[str, str],
              registry: str) -> Path:
    return demo.make_repo(tmp_path_factory.mktemp("demo") / "repo", base_refs, registry)


@pytest.fixture(scope="session")
def built(demo_repo: Path, registry: str) -> Built:
    done = demo.run_pipelinegen(demo_repo, "build", "--tag", TAG, check=True)
    return Built(demo_repo, done.stdout + done.stderr,
                 {name: f"{registry}/{name}:{TAG}" for name in demo.SERVICES})


@pytest.fixture
def scratch_names() -> Iterator[list[str]]:
    """Container and image names a test creates; removed afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        demo.docker("rm", "-f", name, check=False)
