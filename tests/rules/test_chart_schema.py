"""validate rule chart-schema: a rendered object the strict Kubernetes schema refuses is reported
at its template, once per environment. (The chart rules together, on clean and broken charts:
tests/helm/test_chart_rules.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelinegen import validate
from tests.support.charts import context, edit


@pytest.mark.helm
def test_an_unknown_field_in_a_template_fails_the_kubernetes_schema(repo: Path) -> None:
    edit(repo / "generated/helm/docs/templates/service.yaml", "  type: ClusterIP\n",
          "  type: ClusterIP\n  sessionAffinty: None\n")
    found = validate.run(context(repo), ["chart-schema"])
    assert found, "the misspelt field was accepted"
    assert {p.file for p in found} == {"generated/helm/docs/templates/service.yaml"}
    assert all("sessionAffinty" in p.message and "Service/docs" in p.message for p in found)
    # One problem per environment (each renders its own namespace); a Service rendered the
    # same way in a second rollout state of that environment is validated once.
    assert sorted(p.message.split("(")[1].split(")")[0] for p in found) == [
        "dev", "production", "staging"]
