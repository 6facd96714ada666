"""Run the operations, the floors and the peer on one model, interleaved, several times.

Each repetition starts from an empty tree (the services file and the sources only) and runs, in
order: the `python -c pass` floor, the imports floor (pydantic, ruamel.yaml and click in one
process), `generate` (cold process, empty tree), `generate` again (nothing changed), `check`,
the `cp -r` floor (a copy of what generate wrote), `diff` after one service changed, `generate`
of that change, and the peer (cdk8s synthesizing the same services, peer.py). Interleaving puts
floors, operations and the peer under the same machine load; the two figures that write a whole
tree start after a sync (settle).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from benchmarks import peer
from benchmarks.measure import Figure, HarnessError, Sample, run
from pipelinegen.core import load
from pipelinegen.generation.plan import MANIFEST, read_manifest

# What is timed, in the order of the results tables.
OPERATIONS = ("generate-cold", "generate-noop", "check", "diff", "generate-one")
FLOORS = ("python", "imports", "cp")
PEERS = ("cdk8s",)
CI_WORKFLOW = ".github/workflows/ci.yml"
IMPORTS = "import pydantic, ruamel.yaml, click"

# Files of the project, besides services.yaml and the sources, that generation reads; each is
# copied into every benchmarked tree. Add a path here if the generator comes to need one.
SUPPORT_FILES: tuple[str, ...] = ()

_NOOP_SUMMARY = re.compile(r"^0 created, 0 updated, 0 deleted, [0-9]+ unchanged$", re.MULTILINE)
_DIFF_FILE = re.compile(r"^--- (?:a/\S+|/dev/null)\n\+\+\+ (?:b/\S+|/dev/null)$", re.MULTILINE)


@dataclass(frozen=True)
class Subject:
    """A model to benchmark: its services file, a variant with one service changed, sources."""

    label: str
    services: int
    text: str
    changed: str
    populate: Callable[[Path], None]  # writes the sources into a repository root


@dataclass(frozen=True)
class Result:
    subject: Subject
    files: int  # generated files, manifest included
    bytes: int
    diff_files: int  # files the one-service change alters
    ci_bytes: int  # size of the generated ci.yml
    figures: dict[str, Figure]


def pipelinegen_command() -> Path:
    """The installed console script beside this interpreter: what users run."""
    script = Path(sys.executable).parent / "pipelinegen"
    if not script.exists():
        raise HarnessError(f"no {script}: install the project first (pip install -e .)")
    return script


def copy_support_files(project: Path, root: Path) -> None:
    for relative in SUPPORT_FILES:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(project / relative, target)


def measure(subject: Subject, runs: int, work: Path, log: Callable[[str], None]) -> Result:
    """Benchmark one subject `runs` times inside `work` (emptied first, left behind)."""
    command = str(pipelinegen_command())
    _fresh(work)
    source = work / "input"
    source.mkdir()
    (source / "services.yaml").write_text(subject.text, encoding="utf-8")
    subject.populate(source)
    samples: dict[str, list[Sample]] = {name: [] for name in (*OPERATIONS, *FLOORS, *PEERS)}
    files = size = diff_files = ci_bytes = 0
    peer_argv, peer_env = peer.command(load.loads(subject.text.encode(), "services.yaml"), work)
    for repetition in range(runs):
        log(f"  {subject.label}: run {repetition + 1}/{runs}")
        samples["python"].append(run([sys.executable, "-c", "pass"], work))
        samples["imports"].append(run([sys.executable, "-c", IMPORTS], work))
        tree = work / "tree"
        _fresh(tree, create=False)
        shutil.copytree(source, tree, symlinks=True)
        settle()
        try:
            samples["generate-cold"].append(run([command, "generate"], tree))
        except HarnessError as exc:
            raise HarnessError(f"{exc}\nhint: if generation reads a project file besides"
                               " services.yaml and the sources, list it in SUPPORT_FILES"
                               " (benchmarks/runner.py)") from None
        noop = run([command, "generate"], tree)
        if not _NOOP_SUMMARY.search(noop.stdout):
            raise HarnessError(f"a second generate changed files:\n{noop.stdout[-2000:]}")
        samples["generate-noop"].append(noop)
        samples["check"].append(run([command, "check"], tree))
        files, size, tops = _produced(tree)
        ci_bytes = (tree / CI_WORKFLOW).stat().st_size
        copy = work / "copy"
        _fresh(copy)
        settle()
        samples["cp"].append(run(["cp", "-r", *tops, str(copy)], tree))
        shutil.rmtree(copy)
        (tree / "services.yaml").write_text(subject.changed, encoding="utf-8")
        diff = run([command, "diff"], tree)
        samples["diff"].append(diff)
        diff_files = len(_DIFF_FILE.findall(diff.stdout))
        samples["generate-one"].append(run([command, "generate"], tree))
        shutil.rmtree(tree)
        _fresh(work / "peer-out", create=False)
        samples["cdk8s"].append(run(peer_argv, work, env=peer_env))
    shutil.rmtree(work / "peer-out", ignore_errors=True)
    figures = {name: Figure(tuple(found)) for name, found in samples.items()}
    return Result(subject, files, size, diff_files, ci_bytes, figures)


def settle() -> None:
    """Write back every dirty page before a figure that writes a whole tree (cold `generate`,
    `cp -r`): else each starts behind the last run's writes, and the kernel throttles it by
    however much of them is still waiting, seconds that belong to neither."""
    os.sync()


def _produced(tree: Path) -> tuple[int, int, list[str]]:
    """(files, bytes, top-level entries) of what generate wrote, from its manifest."""
    paths = [*read_manifest(tree), MANIFEST]
    missing = [path for path in paths if not (tree / path).is_file()]
    if missing:
        raise HarnessError(f"generate did not write {', '.join(missing[:5])}")
    size = sum((tree / path).stat().st_size for path in paths)
    tops = sorted({PurePosixPath(path).parts[0] for path in paths})
    return len(paths), size, tops


def _fresh(path: Path, *, create: bool = True) -> None:
    if path.exists():
        shutil.rmtree(path)
    if create:
        path.mkdir(parents=True)


def machine_load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"
