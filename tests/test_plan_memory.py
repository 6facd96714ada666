"""A thousand charts hold the text they share once: the plan keeps one bytes object per shared
template, and compare keeps the plan's copy of a file that is on disk unchanged, not a second."""

from __future__ import annotations

from pathlib import Path

from pipelinegen.core import kept
from pipelinegen.emit import helm
from pipelinegen.generation import plan
from pipelinegen.generation.workspace import Workspace
from tests.support.incremental import generate, synthetic_tree

SHARED = ("templates/deployment.yaml", "values.schema.json", ".helmignore")


def test_charts_share_one_copy_of_their_common_files(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    synthetic_tree(root, 3)
    inputs = Workspace.locate(root / "services.yaml", root).inputs
    rendered = [helm.chart_files(inputs.model, f"svc-000{i}", inputs.source) for i in range(3)]
    made = plan.make(inputs)
    for name in SHARED:
        assert rendered[0][name] is rendered[1][name] is rendered[2][name], name
        copies = [made.files[f"generated/helm/svc-000{i}/{name}"] for i in range(3)]
        assert copies[0] == copies[1] == copies[2]
        assert copies[0] is copies[1] is copies[2], name
    own = [made.files[f"generated/helm/svc-000{i}/values.yaml"] for i in range(3)]
    assert len(set(own)) == 3  # what differs per service stays apart


def test_compare_keeps_the_plans_bytes_of_an_unchanged_file(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    synthetic_tree(root, 2)
    generate(root)
    made = plan.make(Workspace.locate(root / "services.yaml", root).inputs)
    comparison = plan.compare(made, root)
    assert comparison.clean
    # A file with a kept section (CODEOWNERS) is compared without it: its disk bytes stay.
    same = [path for path in comparison.unchanged if not kept.has_section(made.files[path])]
    assert len(same) > 0.9 * len(comparison.unchanged)
    for path in same:
        assert comparison.current[path] is made.files[path], path
