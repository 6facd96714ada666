"""`python -m benchmarks`: measure pipelinegen and write benchmarks/results.md."""

from __future__ import annotations

import argparse
import compileall
import datetime
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks import results, subjects
from benchmarks.measure import HarnessError
from benchmarks.runner import machine_load, measure
from pipelinegen import __version__

PROJECT = Path(__file__).resolve().parent.parent
HERE = PROJECT / "benchmarks"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--sizes", default="10,100,1000",
                        help="service counts of the synthetic models (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=5,
                        help="runs per figure; the median is reported (default: %(default)s)")
    parser.add_argument("--output", type=Path, default=HERE / "results.md",
                        help="results file (default: benchmarks/results.md)")
    parser.add_argument("--work-dir", type=Path, default=HERE / ".work",
                        help="scratch trees, removed afterwards (default: benchmarks/.work)")
    args = parser.parse_args(argv)
    try:
        sizes = sorted({int(size) for size in args.sizes.split(",")})
    except ValueError:
        parser.error(f"--sizes takes comma-separated numbers, not {args.sizes!r}")
    if args.runs < 1 or sizes[0] < 1:
        parser.error("--runs and every size must be at least 1")
    try:
        text = run(sizes, args.runs, args.work_dir)
    except HarnessError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(args.work_dir, ignore_errors=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def run(sizes: list[int], runs: int, work: Path) -> str:
    """Measure the example and every size; the results file's text."""
    load_before = machine_load()
    started = datetime.datetime.now(datetime.UTC)
    example = subjects.example(PROJECT)
    synthetic = [subjects.generated(size, PROJECT) for size in sizes]
    # What installing a package does (pip compiles what it installs); without it, an
    # environment with PYTHONDONTWRITEBYTECODE would compile every module in every run.
    log("compiling pipelinegen's modules to bytecode")
    if not compileall.compile_dir(PROJECT / "pipelinegen", quiet=1):
        raise HarnessError("pipelinegen's modules do not compile")
    log("warming up (one untimed run of the example)")
    measure(example, 1, work, log)
    log("measuring")
    measured_example = measure(example, runs, work, log)
    measured = [measure(subject, runs, work, log) for subject in synthetic]
    machine = [
        ("Date of the run", started.strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", f"{_cpu_model()}, {os.cpu_count()} cores"
                f" ({len(os.sched_getaffinity(0))} usable by this run)"),
        ("Memory", _memory()),
        ("System", platform.platform()),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("pipelinegen", f"{__version__} (commit {_commit()})"),
        ("Runs per figure", str(runs)),
        ("Load average at start / end", f"{load_before} / {machine_load()}"),
    ]
    return results.render(results.Run(machine, runs, measured_example, measured))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    return f"{pages * size / 2**30:.1f} GiB"


def _commit() -> str:
    found = subprocess.run(["git", "-C", str(PROJECT), "rev-parse", "--short", "HEAD"],
                           capture_output=True, text=True, check=False)
    if found.returncode != 0:
        return "unknown"
    dirty = subprocess.run(["git", "-C", str(PROJECT), "status", "--porcelain", "--",
                            "pipelinegen", "pyproject.toml"],
                           capture_output=True, text=True, check=False).stdout.strip()
    return found.stdout.strip() + (" with uncommitted changes" if dirty else "")


if __name__ == "__main__":
    sys.exit(main())
