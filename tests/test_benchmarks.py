"""The benchmark harness: its synthetic models are valid and deterministic, and one tiny run
writes a results file with every row and column (the timings themselves are not asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import subjects, synthetic
from benchmarks.measure import HarnessError, run
from pipelinegen.core import load, yamlio

PROJECT = Path(__file__).resolve().parent.parent


def _bases() -> dict[str, str]:
    return dict(load.load(PROJECT / "services.yaml").bases)


def test_synthetic_model_is_valid_deterministic_and_mixed() -> None:
    data = synthetic.synthetic_model(40, _bases())
    text = yamlio.dump(data)
    assert text == yamlio.dump(synthetic.synthetic_model(40, _bases()))
    model = load.loads(text.encode(), "synthetic.yaml")
    services = model.services.values()
    assert len(model.services) == 40
    assert {s.stack for s in services} == {"python", "node", "go", "static"}
    assert model.project.environment_names() == ["dev", "staging", "production"]
    assert {env for s in services for env in s.environments} == {"dev", "staging", "production"}
    assert any(s.deploy.ingress for s in services)
    assert any(s.deploy.secrets for s in services)
    assert any(s.deploy_for("production").autoscaling for s in services)
    shared = [path for s in services for path in s.depends_on]
    assert len(shared) > len(set(shared)) > 1  # packages shared by several services


def test_one_service_change_alters_exactly_one_service() -> None:
    data = synthetic.synthetic_model(9, _bases())
    changed = synthetic.with_one_service_changed(data)
    before = load.loads(yamlio.dump(data).encode(), "a.yaml").services
    after = load.loads(yamlio.dump(changed).encode(), "b.yaml").services
    assert [name for name in before if before[name] != after[name]] == ["svc-0004"]


def test_sources_are_written_for_every_service_and_package(tmp_path: Path) -> None:
    data = synthetic.synthetic_model(8, _bases())
    synthetic.write_sources(tmp_path, data)
    for service in data["services"].values():
        assert any((tmp_path / service["path"]).iterdir())
    for path in {p for s in data["services"].values() for p in s.get("depends_on", [])}:
        assert any((tmp_path / path).iterdir())


def test_an_invalid_model_fails_loudly_with_its_location() -> None:
    text = yamlio.dump(synthetic.synthetic_model(2, _bases())).replace("port: 8001", "port: 0")
    with pytest.raises(HarnessError, match=r"synthetic:\d+:\d+: .*port"):
        subjects.validated(text, "synthetic")


def test_a_failing_command_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="exited 3 \\(expected 0\\)"):
        run([sys.executable, "-c", "import sys; print('out'); sys.exit(3)"], tmp_path)


def test_peak_memory_is_the_commands_own_not_the_harnesss(tmp_path: Path) -> None:
    ballast = b"\x01" * (300 * 1024 * 1024)  # the harness is large when it starts the command
    small = run([sys.executable, "-c", "pass"], tmp_path)
    large = run([sys.executable, "-c", "b = bytearray(200 * 1024 * 1024)"], tmp_path)
    assert ballast and small.max_rss_kib < 100 * 1024
    assert large.max_rss_kib > 200 * 1024


def test_tiny_run_writes_every_row_and_column(tmp_path: Path) -> None:
    output = tmp_path / "results.md"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--sizes", "3,6", "--runs", "1",
         "--output", str(output), "--work-dir", str(tmp_path / "work")],
        cwd=PROJECT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr
    text = output.read_text(encoding="utf-8")
    assert not (tmp_path / "work").exists()
    bundled = len(load.load(PROJECT / "services.yaml").services)
    for heading in ("## Machine", "## Targets", "## Sizes", "## Times and memory", "## Growth",
                    f"### bundled example ({bundled} services)", "### 3 services",
                    "### 6 services"):
        assert f"\n{heading}\n" in text
    for key in ("Date of the run", "CPU", "Python", "pipelinegen", "Runs per figure"):
        assert f"| {key} |" in text
    assert ("| Operation | Median | Min-max | x `python -c pass` | x `cp -r` | Peak memory |"
            in text)
    operations = ["`generate` into an empty tree (cold process)", "`generate`, nothing changed",
                  "`check`", "`diff` after one service changed",
                  "`generate` after one service changed"]
    floors = ["floor: `python -c pass`",
              'floor: `python -c "import pydantic, ruamel.yaml, click"`',
              "floor: `cp -r` of the generated tree"]
    peers = ["peer: cdk8s synth (Deployment, Service, HPA, PDB, NetworkPolicy per service and"
             " environment)"]
    rows = [*operations, *floors, *peers]
    figures = text.split("## Times and memory")[1].split("## Beside the peer")[0]
    for model in figures.split("\n### ")[1:]:
        lines = model.strip().splitlines()
        assert [line.split(" | ")[0].removeprefix("| ") for line in lines[4:]] == rows
        for line in lines[4:]:
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            assert len(cells) == 6 and all(cells)
            assert cells[1].endswith(" s") and cells[5].endswith(" MB")
    assert ("| Model | Services | services.yaml bytes | Files produced | Bytes produced |"
            " Files the one-service change alters |") in text
    for model in (f"bundled example ({bundled} services) | {bundled} |", "| 3 services | 3 |",
                  "| 6 services | 6 |"):
        assert model in text
    beside = text.split("## Beside the peer")[1].split("## Growth")[0]
    for model in (f"bundled example ({bundled} services)", "3 services", "6 services"):
        assert re.search(rf"\| {re.escape(model)} \| [0-9.]+ s( \| [0-9.]+ s \([0-9.]+x\)){{3}} \|",
                         beside), model
    targets = text.split("## Targets")[1].split("## Sizes")[0]
    assert re.search(r"\| `check` on the bundled example at most 2 x importing pydantic,"
                     r" ruamel.yaml and click \| [0-9.]+ s = [0-9.]+ x [0-9.]+ s"
                     r" \| (met|\*\*missed\*\*) \|",
                     targets)
    for target in ("`check` under 1 s", "no-op `generate` under 1 s",
                   "`generate` after one service changed under 1 s",
                   "peak memory of every operation under 200 MB",
                   "`.github/workflows/ci.yml` under 60 KB",
                   "cold `generate` at most 2 x `cp -r` of the same tree"):
        assert f"| 1,000 services: {target} | not measured | not measured |" in targets
    for operation in operations:
        assert f"| {operation}: 1,000 services at most 11 x 100 services |" in targets
    growth = text.split("## Growth")[1]
    assert "| Operation | 3 → 6 |" in growth
    for operation in operations:
        assert f"| {operation} | " in growth
    assert growth.count("(met)") + growth.count("(**missed**)") == 5  # floors get no verdict
    for other in (*floors, *peers):
        assert re.search(rf"\| {re.escape(other)} \| [0-9.]+x \|", growth), other
