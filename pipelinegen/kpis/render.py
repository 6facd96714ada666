"""The figures as text, Markdown or JSON; deterministic for the same history."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pipelinegen.kpis.figures import Figure


@dataclass(frozen=True)
class Report:
    repository: str
    branch: str
    workflow: str
    since: str | None  # ISO date
    runs: int
    deployments: int
    figures: list[Figure]

    def missed(self) -> list[Figure]:
        return [figure for figure in self.figures if figure.met is False]


def _value(figure: Figure) -> str:
    if figure.value is None:
        return "no data"
    if not figure.unit:
        return f"{figure.value:.0f}"
    return f"{figure.value:.1f} {figure.unit}"


def _verdict(figure: Figure) -> str:
    return {True: "met", False: "MISSED", None: "-" if not figure.target else "no data"}[
        figure.met]


def _heading(report: Report) -> str:
    since = f" since {report.since}" if report.since else ""
    return (f"{report.repository}{since}: {report.workflow} on {report.branch}"
            f" ({report.runs} runs), {report.deployments} deployments")


def _closing(report: Report) -> str:
    judged = [figure for figure in report.figures if figure.met is not None]
    return f"{len(report.missed())} of {len(judged)} targets missed"


def text(report: Report) -> str:
    rows = [("figure", "value", "target", "verdict", "detail")] + [
        (f.name, _value(f), f.target or "-", _verdict(f), f.detail) for f in report.figures]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)),
                        row[4]]).rstrip() for row in rows]
    return "\n".join([_heading(report), "", *lines, "", _closing(report)]) + "\n"


def markdown(report: Report) -> str:
    lines = [f"### Delivery figures: {_heading(report)}", "",
             "| figure | value | target | verdict | detail |", "| --- | ---: | --- | --- | --- |"]
    lines += [f"| {f.name} | {_value(f)} | {f.target or '-'} | {_verdict(f)} | {f.detail} |"
              for f in report.figures]
    return "\n".join([*lines, "", _closing(report)]) + "\n"


def as_json(report: Report) -> str:
    def number(figure: Figure) -> float | int | None:
        if figure.value is None:
            return None
        return int(figure.value) if not figure.unit else round(figure.value, 2)

    data = {
        "repository": report.repository, "branch": report.branch, "workflow": report.workflow,
        "since": report.since, "runs": report.runs, "deployments": report.deployments,
        "figures": [{"name": f.name, "value": number(f), "unit": f.unit, "target": f.target,
                     "met": f.met, "detail": f.detail} for f in report.figures],
        "missed": [f.name for f in report.missed()],
    }
    return json.dumps(data, indent=2) + "\n"


FORMATS = {"text": text, "markdown": markdown, "json": as_json}
