"""The charts are committed, `pipelinegen check` is green with them, and they are the same bytes
whatever the hash seed."""

from __future__ import annotations

import os
import subprocess
import sys

from pipelinegen.emit.helm import chart_files
from tests.support.charts import ENVIRONMENTS, MODEL, ROOT, SERVICES

CHECK = [sys.executable, "-m", "pipelinegen", "check", "--file", "services.yaml", "--format",
         "text"]


def test_pipelinegen_check_is_green_with_the_charts_committed() -> None:
    result = subprocess.run(CHECK, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "generated files are up to date" in result.stdout
    for service in SERVICES:
        chart = ROOT / "generated/helm" / service
        expected = {"Chart.yaml", "values.yaml", "values.schema.json", ".helmignore",
                    "templates/_helpers.tpl", "templates/NOTES.txt",
                    "templates/tests/test-connection.yaml",
                    *(f"values-{env}.yaml" for env in ENVIRONMENTS)}
        on_disk = {p.relative_to(chart).as_posix() for p in chart.rglob("*") if p.is_file()}
        assert expected <= on_disk


def test_charts_do_not_depend_on_the_hash_seed() -> None:
    code = (
        "import hashlib, pathlib\n"
        "from pipelinegen import load\n"
        "from pipelinegen.emit import helm\n"
        "from pipelinegen.inputs import Inputs\n"
        "model = load.load(pathlib.Path('services.yaml'), 'services.yaml')\n"
        "files = helm.emit(Inputs(model, 'services.yaml'))\n"
        "print(hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest())\n"
    )
    digests = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                              text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("0", "1", "2")}
    assert len(digests) == 1


def test_chart_version_changes_with_the_chart_and_only_then() -> None:
    first = chart_files(MODEL, "api", "services.yaml")["Chart.yaml"]
    assert first == chart_files(MODEL, "api", "services.yaml")["Chart.yaml"]
    changed = MODEL.model_copy(update={"services": {
        **MODEL.services,
        "api": MODEL.services["api"].model_copy(update={"port": 8181}),
    }})
    second = chart_files(changed, "api", "services.yaml")["Chart.yaml"]
    version = [line for line in first.splitlines() if line.startswith("version:")]
    assert version != [line for line in second.splitlines() if line.startswith("version:")]
    assert 'appVersion: "0.1.0"' in first and 'appVersion: "0.1.0"' in second
