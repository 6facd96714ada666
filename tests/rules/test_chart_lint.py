"""validate rule chart-lint: `helm lint --strict` errors, such as a chart version that is not
semver. (The chart rules together, on clean and broken charts: tests/helm/test_chart_rules.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelinegen import validate
from tests.support.charts import context


@pytest.mark.helm
def test_a_chart_version_that_is_not_semver_fails_lint(repo: Path) -> None:
    chart_yaml = repo / "generated/helm/renderer/Chart.yaml"
    chart_yaml.write_text(re.sub(r'version: "[^"]+"', "version: latest", chart_yaml.read_text(),
                                 count=1))
    found = validate.run(context(repo), ["chart-lint"])
    assert found and all(p.level == "error" for p in found)
    assert any("semver" in p.message.lower() or "version" in p.message for p in found)
