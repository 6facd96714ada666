"""The cost report: reports/costs/monthly_costs.csv and the table `pipelinegen cost` prints.

Amounts are USD a month, to the cent; vCPU and GiB are what the row's pods are billed for in
total (replicas x the billed pod). With actual spend, three columns follow: the actual monthly
spend, its difference from the estimate in percent, and whether that is an anomaly.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from pipelinegen.cost.actual import Comparison
from pipelinegen.cost.estimate import Estimate, Row
from pipelinegen.cost.proposals import Proposal

CSV_PATH = "reports/costs/monthly_costs.csv"
COLUMNS = ("service", "environment", "replicas", "min_replicas", "max_replicas", "vcpu", "gib",
           "estimated_monthly_usd", "min_monthly_usd", "max_monthly_usd", "other_monthly_usd",
           "budget_usd", "variance_usd")
ACTUAL_COLUMNS = ("actual_monthly_usd", "actual_vs_estimate_percent", "anomaly")
CLUSTER_ROW = "(clusters)"  # not a service name: names are DNS labels


def csv_text(estimate: Estimate, comparison: Comparison | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS + (ACTUAL_COLUMNS if comparison else ()))
    for row in estimate.rows:
        cells = [row.service, row.environment, row.replicas, row.min_replicas, row.max_replicas,
                 _qty(row.vcpu), _qty(row.gib), row.estimated, row.minimum, row.maximum,
                 row.other, _opt(row.budget), _opt(row.variance)]
        if comparison is not None:
            cells += _actual_cells(comparison, row)
        writer.writerow(cells)
    fee = [CLUSTER_ROW, "", estimate.clusters, estimate.clusters, estimate.clusters, "", "",
           estimate.cluster_fee, estimate.cluster_fee, estimate.cluster_fee, "0.00", "", ""]
    writer.writerow(fee + (["", "", ""] if comparison else []))
    return out.getvalue()


def _actual_cells(comparison: Comparison, row: Row) -> list[object]:
    found = comparison.by_row.get((row.service, row.environment))
    if found is None:
        return ["", "", ""]
    percent = "" if found.percent is None else f"{found.percent:.1f}"
    return [found.actual, percent, "yes" if found.anomaly else "no"]


def table(estimate: Estimate, comparison: Comparison | None,
          proposals: list[Proposal]) -> str:
    profile = estimate.profile
    head = ["service", "environment", "replicas", "vCPU", "GiB", "$/month", "range", "budget",
            "variance"]
    if comparison is not None:
        head += ["actual", "vs estimate"]
    lines = [head]
    for row in estimate.rows:
        line = [row.service, row.environment, _replicas(row), _qty(row.vcpu), _qty(row.gib),
                _usd(row.estimated), _range(row), _usd(row.budget), _signed(row.variance)]
        if comparison is not None:
            found = comparison.by_row.get((row.service, row.environment))
            line += ["", ""] if found is None else [
                _usd(found.actual),
                ("" if found.percent is None else f"{found.percent:+.1f}%")
                + (" ANOMALY" if found.anomaly else "")]
        lines.append(line)
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    text = "".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
                   .rstrip() + "\n" for line in lines)
    text += (f"\nclusters: {estimate.clusters} x {_usd(profile.cluster_hour * 730)} = "
             f"{_usd(estimate.cluster_fee)}\n"
             f"total: {_usd(estimate.total)} a month on {profile.name} ({profile.title}, "
             f"{profile.region}, prices checked {profile.checked})\n")
    if comparison is not None:
        text += comparison.summary()
    if proposals:
        text += "\nWhere to save:\n" + "".join(f"- {p.line()}\n" for p in proposals)
    return text


def _replicas(row: Row) -> str:
    if not row.autoscaled:
        return str(row.replicas)
    return f"{row.replicas} ({row.min_replicas}-{row.max_replicas})"


def _range(row: Row) -> str:
    return "" if row.minimum == row.maximum else f"{_usd(row.minimum)}-{_usd(row.maximum)}"


def _qty(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text if "." not in text else text.rstrip("0").rstrip(".")


def _opt(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def usd(value: Decimal) -> str:
    return f"${value:,.2f}"


def _usd(value: Decimal | None) -> str:
    return "" if value is None else usd(value)


def _signed(value: Decimal | None) -> str:
    if value is None:
        return ""
    return ("+" if value > 0 else "-" if value < 0 else "") + usd(abs(value))
