"""`pipelinegen vuln-gate`: apply the scan gate to a scanner's report; exit 1 if it fails."""

from __future__ import annotations

import datetime
from pathlib import Path

from pipelinegen.commands import Echo
from pipelinegen.core.errors import FindingsError, PipelinegenError
from pipelinegen.core.model import Model
from pipelinegen.vulns import gate, report


def run(model: Model, service: str, environment: str | None, report_path: Path,
        scanner: str | None, today: datetime.date) -> tuple[str, gate.Decision]:
    """The text to print and the decision; raises nothing for a failing gate (see enforce)."""
    if service not in model.services:
        raise PipelinegenError(f"no service named {service!r}",
                               f"use one of: {', '.join(sorted(model.services))}")
    if environment is not None and environment not in model.project.environment_names():
        raise PipelinegenError(f"no environment named {environment!r}",
                               f"use one of: {', '.join(model.project.environment_names())}")
    settings = model.project.vulnerabilities
    tool = scanner or settings.scanner
    try:
        text = report_path.read_text("utf-8")
    except OSError as exc:
        raise PipelinegenError(f"cannot read {report_path}: {exc.strerror}",
                               "pass the report the scan step wrote") from None
    fail_on = model.fail_on(environment)
    decision = gate.decide(report.parse(text, tool, str(report_path)), settings.exceptions,
                           service, fail_on, today)
    where = f" in {environment}" if environment else ""
    lines = [f"{service}{where}: gate at {fail_on} and above ({tool} report)"]
    lines += [f"::error::{f.id} ({f.severity}) in {f.package} {f.version}: no exception"
              for f in decision.blocking]
    lines += [f"::error::exception for {e.id} expired on {e.expires} (owner {e.owner}):"
              " renew it with a new expiry, or remove it" for e in decision.expired]
    lines += [f"excepted: {f.id} ({f.severity}) in {f.package} {f.version}"
              for f in decision.excepted]
    lines.append("passed" if decision.passed else
                 f"failed: {len(decision.blocking)} finding(s), {len(decision.expired)}"
                 " expired exception(s)")
    return "\n".join(lines) + "\n", decision


def enforce(decision: gate.Decision) -> None:
    if not decision.passed:
        raise FindingsError("the vulnerability gate failed",
                            "fix or upgrade the package, or add an exception with an owner,"
                            " a reason and an expiry under project.vulnerabilities.exceptions")


def vuln_gate(model: Model, service: str, environment: str | None, report_path: Path,
              scanner: str | None, echo: Echo) -> None:
    text, decision = run(model, service, environment, report_path, scanner,
                         datetime.datetime.now(datetime.UTC).date())
    echo(text, nl=False)
    enforce(decision)
