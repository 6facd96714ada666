"""benchmarks/results.md: the machine, the figures, their floors, growth and the issue's targets."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks import peer
from benchmarks.measure import Figure
from benchmarks.runner import CI_WORKFLOW, FLOORS, IMPORTS, OPERATIONS, PEERS, Result

LABELS = {
    "generate-cold": "`generate` into an empty tree (cold process)",
    "generate-noop": "`generate`, nothing changed",
    "check": "`check`",
    "diff": "`diff` after one service changed",
    "generate-one": "`generate` after one service changed",
    "python": "floor: `python -c pass`",
    "imports": f"floor: `python -c \"{IMPORTS}\"`",
    "cp": "floor: `cp -r` of the generated tree",
    "cdk8s": f"peer: {peer.LABEL}",
}
LARGE, MEDIUM = 1000, 100
GROWTH_ALLOWANCE = 1.1  # "1,000 services cost at most 11 times 100 services"


@dataclass(frozen=True)
class Run:
    """Everything the results file reports besides the figures."""

    machine: Sequence[tuple[str, str]]
    runs: int
    example: Result
    sizes: Sequence[Result]  # synthetic models, smallest first


def render(run: Run) -> str:
    out = [
        "# Benchmarks\n",
        "Written by `.venv/bin/python -m benchmarks` (options: `--help`); run it again to"
        " refresh this file. Every figure is a fresh `pipelinegen` process timed from spawn to"
        f" exit: the median of {run.runs} run(s) and the fastest and slowest run. Peak memory is"
        " the largest maximum resident set size of the process over those runs (`os.wait4` in"
        " a small launcher, `benchmarks/launch.py`; \"≤ N MB\" means the process stayed below"
        " the launcher's own size). pipelinegen's modules are compiled to bytecode before the"
        " first run, as installing a package does, so no run pays for compiling its sources."
        " The two figures that write a whole tree (`generate` into an empty tree, `cp -r`) each"
        " start after `sync`, so neither is throttled by the writes of the run before."
        " The two floors are measured in the same runs, interleaved with the operations:"
        " `python -c pass` (starting the interpreter), importing the three libraries pipelinegen"
        " starts with, and `cp -r` of the files `generate` wrote (writing the same tree); each"
        " time is also given as a multiple of two floors. The peer, cdk8s (npm packages"
        f" {', '.join(f'`{p}`' for p in peer.PACKAGES)}, Node.js), is measured in the same"
        " runs, synthesizing the Kubernetes objects of the same services (`benchmarks/peer.py`).\n",
        "## Machine\n",
        _table(["", ""], [[key, value] for key, value in run.machine]),
        "## Targets\n",
        _table(["Target", "Measured", "Status"], _targets(run)),
        "## Sizes\n",
        _table(["Model", "Services", "services.yaml bytes", "Files produced", "Bytes produced",
                "Files the one-service change alters"],
               [[r.subject.label, f"{r.subject.services:,}", f"{len(r.subject.text.encode()):,}",
                 f"{r.files:,}", f"{r.bytes:,}", f"{r.diff_files:,}"]
                for r in (run.example, *run.sizes)]),
        "## Times and memory\n",
    ]
    for result in (run.example, *run.sizes):
        out += [f"### {result.subject.label}\n", _figures(result)]
    out += ["## Beside the peer\n",
            "pipelinegen's time divided by cdk8s's, in the same runs (below 1: pipelinegen is"
            " faster). cdk8s writes the Kubernetes objects only; pipelinegen writes them as"
            " charts and everything else (workflows, Dockerfiles, observability, docs).\n",
            _peer(run)]
    out += ["## Growth\n",
            "Ratio of the median times of consecutive sizes. Linear growth allows"
            f" {GROWTH_ALLOWANCE:g} x the size ratio (11x from 100 to 1,000 services).\n",
            _growth(run.sizes)]
    return "\n".join(out)


def _figures(result: Result) -> str:
    python = result.figures["python"].median
    copy = result.figures["cp"].median
    rows = []
    for name, label in LABELS.items():
        figure = result.figures[name]
        rows.append([label, _seconds(figure.median),
                     f"{_seconds(figure.low)} - {_seconds(figure.high)}",
                     _ratio(figure.median, python), _ratio(figure.median, copy),
                     _memory(figure)])
    return _table(["Operation", "Median", "Min-max", "x `python -c pass`", "x `cp -r`",
                   "Peak memory"], rows)


def _peer(run: Run) -> str:
    rows = []
    for result in (run.example, *run.sizes):
        theirs = result.figures["cdk8s"].median
        rows.append([result.subject.label, _seconds(theirs),
                     *(f"{_seconds(result.figures[name].median)}"
                       f" ({result.figures[name].median / theirs:.2f}x)"
                       for name in ("generate-cold", "generate-noop", "check"))])
    return _table(["Model", "cdk8s synth", "cold `generate` (ratio)",
                   "no-op `generate` (ratio)", "`check` (ratio)"], rows)


def _growth(sizes: Sequence[Result]) -> str:
    pairs = list(itertools.pairwise(sizes))
    header = ["Operation"] + [f"{a.subject.services:,} → {b.subject.services:,}"
                              for a, b in pairs]
    rows = []
    # The floors' own growth is shown beside the operations': writing thousands of small files
    # can grow faster than linearly on a given disk, and `generate` into an empty tree with it.
    for name in (*OPERATIONS, *FLOORS, *PEERS):
        row = [LABELS[name]]
        for small, large in pairs:
            ratio = large.figures[name].median / small.figures[name].median
            allowed = GROWTH_ALLOWANCE * large.subject.services / small.subject.services
            status = f" ({_status(ratio <= allowed)})" if name in OPERATIONS else ""
            row.append(f"{ratio:.2f}x{status}")
        rows.append(row)
    return _table(header, rows)


def _targets(run: Run) -> list[list[str]]:
    by_size = {r.subject.services: r for r in run.sizes}
    large, medium = by_size.get(LARGE), by_size.get(MEDIUM)
    imports = run.example.figures["imports"].median
    check = run.example.figures["check"].median
    rows = [["`check` on the bundled example at most 2 x importing pydantic, ruamel.yaml and"
             " click", f"{_seconds(check)} = {check / imports:.2f} x {_seconds(imports)}",
             _status(check <= 2 * imports)]]
    for label, name in (("`check`", "check"), ("no-op `generate`", "generate-noop"),
                        ("`generate` after one service changed", "generate-one")):
        rows.append(_limit(f"1,000 services: {label} under 1 s", large, name, 1.0))
    memory = "1,000 services: peak memory of every operation under 200 MB"
    ci = f"1,000 services: `{CI_WORKFLOW}` under 60 KB"
    cold = "1,000 services: cold `generate` at most 2 x `cp -r` of the same tree"
    if large is None:
        rows += [[target, "not measured", "not measured"] for target in (memory, ci, cold)]
    else:
        peak = max(_megabytes(large.figures[name]) for name in OPERATIONS)
        rows.append([memory, f"{peak:.1f} MB", _status(peak < 200)])
        rows.append([ci, f"{large.ci_bytes / 1024:.1f} KB ({large.ci_bytes:,} bytes)",
                     _status(large.ci_bytes < 60 * 1024)])
        ratio = large.figures["generate-cold"].median / large.figures["cp"].median
        rows.append([cold, f"{ratio:.2f}x", _status(ratio <= 2)])
    for name in OPERATIONS:
        target = f"{LABELS[name]}: 1,000 services at most 11 x 100 services"
        if large is None or medium is None:
            rows.append([target, "not measured", "not measured"])
            continue
        ratio = large.figures[name].median / medium.figures[name].median
        rows.append([target, f"{ratio:.2f}x", _status(ratio <= 11)])
    return rows


def _limit(target: str, result: Result | None, name: str, limit: float) -> list[str]:
    if result is None:
        return [target, "not measured", "not measured"]
    median = result.figures[name].median
    return [target, _seconds(median), _status(median < limit)]


def _status(met: bool) -> str:
    return "met" if met else "**missed**"


def _seconds(value: float) -> str:
    return f"{value:.3f} s"


def _ratio(value: float, floor: float) -> str:
    return f"{value / floor:.1f}x"


def _memory(figure: Figure) -> str:
    bound = "≤ " if figure.below_launcher else ""
    return f"{bound}{_megabytes(figure):.1f} MB"


def _megabytes(figure: Figure) -> float:
    return figure.peak_rss_bytes / 1e6


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
