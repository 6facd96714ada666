"""`pipelinegen cost`: estimate, compare with actual spend if given, write the CSV, judge budgets.

The CSV is a report the command writes, not a generated file of the plan: with --actual it
holds spend read from a cluster, which no model can reproduce, and `check` must not fail
because a month went by. Its estimate columns are deterministic all the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelinegen.commands import Echo
from pipelinegen.core.errors import FindingsError
from pipelinegen.cost import actual as actuals
from pipelinegen.cost import report
from pipelinegen.cost.estimate import estimate
from pipelinegen.cost.proposals import propose
from pipelinegen.generation import plan, writer
from pipelinegen.generation.workspace import Workspace


@dataclass(frozen=True)
class Result:
    text: str  # the table, proposals and where the CSV went
    over_budget: list[str]  # "api in production: $61.20 estimated, budget $50.00"


def run(ws: Workspace, actual: str | None, output: Path | None = None) -> Result:
    model = ws.model
    projected = estimate(model)
    comparison = None
    if actual is not None:
        spend = actuals.read(actual, model)
        comparison = actuals.compare(projected, spend, model.project.cost.anomaly_percent)
    target = output if output is not None else plan.resolve_inside(ws.root, report.CSV_PATH)
    writer.write_atomic(target, report.csv_text(projected, comparison).encode())
    over = []
    for row in projected.rows:
        found = comparison.by_row.get((row.service, row.environment)) if comparison else None
        spent, what = (found.actual, "actual") if found else (row.estimated, "estimated")
        if row.budget is not None and spent > row.budget:
            over.append(f"{row.service} in {row.environment}: {report.usd(spent)} {what}, "
                        f"budget {report.usd(row.budget)} (+{report.usd(spent - row.budget)})")
    text = report.table(projected, comparison, propose(model, projected))
    shown = output if output is not None else report.CSV_PATH
    return Result(text + f"\nwrote {shown}\n", over)


def enforce(result: Result) -> None:
    if result.over_budget:
        listed = "\n".join(f"  {line}" for line in result.over_budget)
        raise FindingsError(f"{len(result.over_budget)} over budget:\n{listed}",
                            "raise services.<name>.cost.budget, or change what the service"
                            " runs (see 'Where to save')")


def cost(ws: Workspace, actual: str | None, output: Path | None, echo: Echo) -> None:
    result = run(ws, actual, output)
    echo(result.text, nl=False)
    enforce(result)
