"""What `pipelinegen check` costs before it does any work: no heavy module is imported."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
HEAVY = ("jsonschema", "docker", "helm_python", "kubernetes_validate", "httpx", "requests",
         "check_jsonschema")

PROBE = f"""
import atexit, sys
heavy = {HEAVY!r}
atexit.register(lambda: print("imported:", sorted(
    name for name in sys.modules if name.split(".")[0] in heavy)))
from pipelinegen.cli import main
main(["check"])
"""


def test_check_imports_no_heavy_module(tmp_path: Path) -> None:
    shutil.copy(PROJECT / "services.yaml", tmp_path / "services.yaml")
    script = Path(sys.executable).parent / "pipelinegen"
    subprocess.run([str(script), "generate"], cwd=tmp_path, check=True, capture_output=True)
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "generated files are up to date" in done.stdout
    assert "imported: []" in done.stdout


def test_the_grafana_sdk_waits_for_a_model_with_slos() -> None:
    probe = ("import sys, pipelinegen.cli, pipelinegen.generation.plan\n"
             "print(sorted(n for n in sys.modules if n.startswith('grafana_foundation_sdk')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout == "[]\n"
