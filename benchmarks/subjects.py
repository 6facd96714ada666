"""The models benchmarked: the bundled example and synthetic monorepos, each validated first."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from benchmarks import synthetic
from benchmarks.measure import HarnessError
from benchmarks.runner import Subject, copy_support_files
from pipelinegen.core import load, yamlio
from pipelinegen.core.errors import InputError
from pipelinegen.core.model import Model
from pipelinegen.generation import report


def validated(text: str, shown: str) -> Model:
    """The model of a services file, through pipelinegen's own loader; fail loudly if invalid."""
    try:
        return load.loads(text.encode("utf-8"), shown)
    except InputError as exc:
        raise HarnessError(f"{shown} is not a valid model:\n"
                           f"{report.problems(exc.problems, 'text')}") from None


def example(project: Path) -> Subject:
    """The bundled services.yaml as it is, with its demo sources."""
    text = (project / "services.yaml").read_text(encoding="utf-8")
    model = validated(text, "services.yaml")
    changed = _changed(model.model_dump(mode="json", exclude_unset=True), "the example")

    def populate(root: Path) -> None:
        for folder in ("services", "packages"):
            shutil.copytree(project / folder, root / folder)
        copy_support_files(project, root)

    return Subject(f"bundled example ({len(model.services)} services)", len(model.services),
                   text, changed, populate)


def generated(count: int, project: Path) -> Subject:
    """A synthetic monorepo of `count` services using the example's pinned base images."""
    bases = validated((project / "services.yaml").read_text(encoding="utf-8"),
                      "services.yaml").bases
    data = synthetic.synthetic_model(count, bases)
    text = yamlio.dump(data)
    shown = f"synthetic model of {count} services"
    validated(text, shown)
    changed = _changed(data, shown)

    def populate(root: Path) -> None:
        synthetic.write_sources(root, data)
        copy_support_files(project, root)

    return Subject(f"{count:,} services", count, text, changed, populate)


def _changed(data: Mapping[str, Any], shown: str) -> str:
    text = yamlio.dump(synthetic.with_one_service_changed(data))
    validated(text, f"{shown}, one service changed")
    return text
