"""Timing one command: wall time and its own peak memory (os.wait4, through launch.py)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class HarnessError(Exception):
    """A benchmarked command failed or produced something unexpected: the run is not valid."""


LAUNCHER = Path(__file__).with_name("launch.py")


@dataclass(frozen=True)
class Sample:
    seconds: float
    max_rss_kib: int  # ru_maxrss of the command (KiB on Linux)
    launcher_kib: int  # a command below this size reports this size (see launch.py)
    stdout: str


def run(argv: Sequence[str], cwd: Path, *, expect: int = 0,
        env: dict[str, str] | None = None) -> Sample:
    """Run `argv` in `cwd` (with `env` added to the environment) through the launcher; fail
    loudly on another exit code."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "result.json"
        out_path, err_path = Path(scratch) / "stdout", Path(scratch) / "stderr"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            subprocess.run([sys.executable, "-I", "-S", str(LAUNCHER), str(report), *argv],
                           cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                           check=True, env={**os.environ, **(env or {})})
        found = json.loads(report.read_text(encoding="utf-8"))
        stdout = out_path.read_text(encoding="utf-8", errors="replace")
        stderr = err_path.read_text(encoding="utf-8", errors="replace")
    if found["exit_code"] != expect:
        raise HarnessError(
            f"`{' '.join(argv)}` in {cwd} exited {found['exit_code']} (expected {expect})\n"
            f"--- stdout\n{stdout[-4000:]}--- stderr\n{stderr[-4000:]}"
        )
    return Sample(found["seconds"], found["max_rss_kib"], found["launcher_kib"], stdout)


@dataclass(frozen=True)
class Figure:
    """Several samples of one operation: median and spread of the time, peak of the memory."""

    samples: tuple[Sample, ...]

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def low(self) -> float:
        return min(s.seconds for s in self.samples)

    @property
    def high(self) -> float:
        return max(s.seconds for s in self.samples)

    @property
    def peak_rss_bytes(self) -> int:
        return max(s.max_rss_kib for s in self.samples) * 1024

    @property
    def below_launcher(self) -> bool:
        """True when the peak is the launcher's own size: the command's is at most that."""
        return all(s.max_rss_kib <= s.launcher_kib for s in self.samples)
