"""Rules of the observability files on disk: runbooks exist, queries read declared metrics and
every PromQL expression parses."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from pipelinegen.core.errors import Problem
from pipelinegen.emit.observability import ROOT, rules
from pipelinegen.validate import promql
from pipelinegen.validate.registry import Context, rule

REGENERATE = "run `pipelinegen generate` to restore the generated file"


@dataclass(frozen=True)
class Query:
    file: str
    line: int
    service: str
    expr: str
    alert: dict[str, Any] | None = None  # the alerting rule it belongs to


def _line(text: str, needle: str) -> int:
    index = text.find(needle)
    return 1 if index < 0 else text.count("\n", 0, index) + 1


def _load(root: Path, path: str) -> tuple[str, Any] | None:
    try:
        text = (root / path).read_text(encoding="utf-8")
        return text, YAML(typ="safe").load(text)
    except (OSError, YAMLError, UnicodeDecodeError):
        return None  # a missing or broken generated file is drift, which `check` reports


def queries(context: Context) -> Iterator[Query]:
    """Every expression of the rules files and dashboards of the services with SLOs."""
    for name in sorted(n for n, s in context.model.services.items() if s.slos is not None):
        path = f"{ROOT}/{name}/rules.yaml"
        loaded = _load(context.root, path)
        if loaded is not None:
            text, data = loaded
            # The rules in file order, and the line each starts on.
            starts = [text.count("\n", 0, m.start()) + 1
                      for m in re.finditer(r"^ *- (record|alert): ", text, re.MULTILINE)]
            items = [item for group in (data or {}).get("groups", [])
                     for item in group.get("rules", [])]
            for index, item in enumerate(items):
                line = starts[index] if index < len(starts) else 1
                yield Query(path, line, name, str(item.get("expr", "")),
                            item if "alert" in item else None)
        yield from _dashboard_queries(context.root, name)


def _dashboard_queries(root: Path, name: str) -> Iterator[Query]:
    path = f"{ROOT}/{name}/dashboard.yaml"
    loaded = _load(root, path)
    if loaded is None:
        return
    text, data = loaded
    for board in ((data or {}).get("data") or {}).values():
        for panel in json.loads(board).get("panels", []):
            for target in panel.get("targets", []):
                expr = str(target.get("expr", ""))
                yield Query(path, _line(text, expr.replace('"', '\\"')), name, expr)


@rule("promql-parses")
def promql_parses(context: Context) -> Iterator[Problem]:
    """Every PromQL expression of the generated rules and dashboards parses.

    Passes:  expr: sum by (namespace) (rate(http_requests_total{job="api"}[5m]))
    Fails:   expr: sum by (namespace (rate(http_requests_total[5m]))   (a hand edit)
    """
    for query in queries(context):
        message = promql.error(query.expr)
        if message is not None:
            yield Problem(query.file, query.line, 1, "promql-parses",
                          f"PromQL does not parse: {message}", REGENERATE)


@rule("slo-metrics")
def slo_metrics(context: Context) -> Iterator[Problem]:
    """Every query reads only metrics its service declares (`metrics`) or recorded series.

    Passes:  rate(http_requests_total{job="api"}[5m]) with the default metrics
    Fails:   rate(http_requests_count{job="api"}[5m]): the service does not expose it
    """
    for query in queries(context):
        if promql.error(query.expr) is not None:
            continue  # promql-parses reports it
        declared = context.model.services[query.service].metrics.exposed()
        for name in sorted(promql.metric_names(query.expr)):
            if ":" not in name and name not in declared:
                yield Problem(query.file, query.line, 1, "slo-metrics",
                              f"{query.service} does not declare the metric {name}",
                              f"add it to services.{query.service}.metrics.exposes, or use one"
                              f" of: {', '.join(sorted(declared))}")


@rule("slo-runbooks")
def slo_runbooks(context: Context) -> Iterator[Problem]:
    """Every alert's runbook_url leads to a runbook in the repository with the alert's section.

    Passes:  runbook_url .../docs/SRE/api.md#apiavailabilityburn1h, and api.md has
             `### ApiAvailabilityBurn1h`
    Fails:   the runbook was deleted, or its section renamed
    """
    base = rules.runbook_base(context.model) + "/"
    for query in queries(context):
        if query.alert is None:
            continue
        url = str((query.alert.get("annotations") or {}).get("runbook_url", ""))
        problem = _runbook_problem(context.root, base, url)
        if problem is not None:
            yield Problem(query.file, query.line, 1, "slo-runbooks",
                          f"alert {query.alert['alert']}: {problem}",
                          "run `pipelinegen generate` (it writes docs/SRE/<service>.md)")


def _runbook_problem(root: Path, base: str, url: str) -> str | None:
    if not url:
        return "has no runbook_url"
    if not url.startswith(base):
        return f"runbook_url {url} is not under {base}"
    file, _, anchor = url[len(base):].partition("#")
    path = root / "docs" / "SRE" / file
    if not path.is_file():
        return f"its runbook docs/SRE/{file} does not exist"
    headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    if anchor and anchor not in {h.strip().lower() for h in headings}:
        return f"docs/SRE/{file} has no section #{anchor}"
    return None
