"""Golden snapshots of the api chart (every file) and of what it renders mid-canary, so a
template change shows up in review as a diff. Refresh: pytest tests/helm --snapshot-update"""

from __future__ import annotations

from types import ModuleType

import pytest
from syrupy.assertion import SnapshotAssertion

from pipelinegen.emit.helm import chart_files
from pipelinegen.validate import rendering
from tests.support.charts import DIGEST_A, DIGEST_B, MODEL, ROOT

FILES = chart_files(MODEL, "api", "services.yaml")


@pytest.mark.parametrize("name", sorted(FILES))
def test_api_chart_file(name: str, snapshot: SnapshotAssertion) -> None:
    assert FILES[name] == snapshot
    assert (ROOT / "generated/helm/api" / name).read_text() == FILES[name]


@pytest.mark.helm
def test_api_rendered_mid_canary(sdk: ModuleType, snapshot: SnapshotAssertion) -> None:
    staging = next(e for e in MODEL.project.environments if e.name == "staging")
    scenario = rendering.Scenario("api", staging, {"image": {"digest": DIGEST_A},
                                                   "canary": {"digest": DIGEST_B}})
    rendered = rendering.render(sdk, ROOT, scenario)
    assert rendered == snapshot
