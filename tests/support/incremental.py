"""Trees for the tests of incremental rendering: a synthetic or the bundled model, generated
as `pipelinegen generate` does (cache included), and plans built from them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from benchmarks import synthetic
from pipelinegen.commands.generate import generate as write_all
from pipelinegen.core import load, yamlio
from pipelinegen.core.errors import PipelinegenError
from pipelinegen.generation import plan
from pipelinegen.generation.workspace import Workspace
from tests.support.gitrepo import REPO_ROOT

Data = dict[str, Any]


def write_model(root: Path, data: Data) -> bool:
    """Write the services file; False when the change made the model invalid."""
    text = yamlio.dump(data)
    try:
        load.loads(text.encode(), "services.yaml")
    except PipelinegenError:
        return False
    (root / "services.yaml").write_text(text)
    return True


def generate(root: Path) -> plan.Plan:
    """`pipelinegen generate`: it writes the files and records, in the cache, that this code
    wrote the manifest (without that record nothing is reused)."""
    ws = Workspace.locate(root / "services.yaml", root, writes=True)
    write_all(ws, False, frozenset(), lambda line: None)
    return ws.plan


def incremental_and_full(root: Path) -> tuple[plan.Plan, plan.Plan]:
    ws = Workspace.locate(root / "services.yaml", root)
    return ws.plan, plan.make(ws.inputs)


def synthetic_tree(root: Path, count: int) -> Data:
    bases = load.load(REPO_ROOT / "services.yaml", "services.yaml").bases
    data = synthetic.synthetic_model(count, bases)
    root.mkdir(parents=True)
    synthetic.write_sources(root, data)
    assert write_model(root, data)
    return data


def bundled_tree(root: Path) -> Data:
    root.mkdir(parents=True)
    for folder in ("services", "packages"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    shutil.copytree(REPO_ROOT / ".github", root / ".github")  # the action lock, among others
    text = (REPO_ROOT / "services.yaml").read_text()
    (root / "services.yaml").write_text(text)
    data: Data = json.loads(json.dumps(
        load.loads(text.encode(), "services.yaml").model_dump(mode="json", exclude_unset=True)))
    return data
