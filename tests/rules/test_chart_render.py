"""validate rule chart-render: a values file the chart refuses is reported in that file. (The
chart rules together, on clean and broken charts: tests/helm/test_chart_rules.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelinegen import validate
from tests.support.charts import context, edit


@pytest.mark.helm
def test_a_bad_values_file_fails_render_and_lint(repo: Path) -> None:
    edit(repo / "generated/helm/worker/values-dev.yaml", "replicas: 1", "replicas: two")
    found = validate.run(context(repo), ["chart-render", "chart-lint"])
    render = [p for p in found if p.rule == "chart-render"]
    assert render and all(p.file == "generated/helm/worker/values-dev.yaml" for p in render)
    assert "at '/replicas': got string, want integer" in render[0].message
    assert any(p.rule == "chart-lint" and p.level == "error" for p in found)
