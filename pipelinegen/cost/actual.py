"""Actual spend from OpenCost: an /allocation export, compared with the projection.

The export is the JSON the OpenCost API answers to
`GET /allocation?window=30d&aggregate=namespace,label:app.kubernetes.io/name`:
{"code": 200, "data": [{"<namespace>/<app>": {"name": ..., "window": {"start", "end"},
"totalCost": ..., ...}, "__idle__": {...}}, ...]}, one mapping per step of the window. The
namespace names the environment (project.environments) and the chart's
app.kubernetes.io/name label the service. Costs are summed over the steps and scaled from the
window's hours to a 730-hour month. Names OpenCost reserves (__idle__, __unallocated__,
__unmounted__) and namespaces or apps the model does not know are listed, not attributed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from pipelinegen.core import load
from pipelinegen.core.errors import InputError, PipelinegenError, Problem
from pipelinegen.core.model import Model
from pipelinegen.cost.estimate import Estimate
from pipelinegen.cost.pricing import HOURS_PER_MONTH, ZERO, cents

RULE = "cost-actual"
LABEL = "app.kubernetes.io/name"
DEFAULT_QUERY = {"window": "30d", "aggregate": f"namespace,label:{LABEL}"}
TIMEOUT = 30.0


@dataclass(frozen=True)
class Spend:
    """What OpenCost reports, per (service, environment), as USD a month."""

    source: str
    hours: Decimal  # the window the export covers
    by_row: dict[tuple[str, str], Decimal]
    environments: set[str]  # the environments whose namespace the export has
    unattributed: dict[str, Decimal] = field(default_factory=dict)  # name -> USD a month


@dataclass(frozen=True)
class Found:
    actual: Decimal
    estimated: Decimal
    percent: Decimal | None  # (actual - estimated) / estimated, in percent
    anomaly: bool


@dataclass(frozen=True)
class Comparison:
    spend: Spend
    by_row: dict[tuple[str, str], Found]
    threshold: Decimal

    @property
    def anomalies(self) -> list[tuple[str, str]]:
        return sorted(key for key, found in self.by_row.items() if found.anomaly)

    def summary(self) -> str:
        text = (f"\nactual: {self.spend.source}, {self.spend.hours:f} hours scaled to a "
                f"730-hour month; anomalies are beyond +-{self.threshold:f}% of the estimate\n")
        for service, env in self.anomalies:
            found = self.by_row[(service, env)]
            change = "no estimate" if found.percent is None else f"{found.percent:+.1f}%"
            text += (f"anomaly: {service} in {env}: ${found.actual:,.2f}/month actual, "
                     f"${found.estimated:,.2f} estimated ({change})\n")
        for name, amount in sorted(self.spend.unattributed.items()):
            text += f"not attributed to a service: {name} ${amount:,.2f}/month\n"
        return text


def compare(estimate: Estimate, spend: Spend, threshold_percent: float) -> Comparison:
    threshold = Decimal(str(threshold_percent))
    out: dict[tuple[str, str], Found] = {}
    for row in estimate.rows:
        key = (row.service, row.environment)
        if key not in spend.by_row and row.environment not in spend.environments:
            continue  # the export does not cover this environment at all
        actual = spend.by_row.get(key, cents(ZERO))
        if row.estimated == 0:
            out[key] = Found(actual, row.estimated, None, actual > 0)
            continue
        exact = (actual - row.estimated) / row.estimated * 100
        out[key] = Found(actual, row.estimated, exact.quantize(Decimal("0.01")),
                         abs(exact) > threshold)
    return Comparison(spend, out, threshold)


def read(source: str, model: Model) -> Spend:
    """The export at a path or an http(s) URL, attributed to the model's services."""
    if source.startswith(("http://", "https://")):
        url = with_default_query(source)
        raw, shown = fetch(url), url
    else:
        path = Path(source)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise PipelinegenError(
                f"cannot read {source}: {exc.strerror}",
                "give an OpenCost /allocation export (JSON) or its URL",
            ) from None
        shown = source
    return attribute(raw, shown, model)


def with_default_query(url: str) -> str:
    """The URL with window and aggregate added when it does not give them."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    merged = {**DEFAULT_QUERY, **query}
    return urlunsplit(parts._replace(query=urlencode(merged, safe=",:/")))


def fetch(url: str) -> bytes:
    try:
        response = httpx.get(url, timeout=TIMEOUT)
        response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        raise PipelinegenError(
            f"OpenCost answered {exc.response.status_code} to GET {url}",
            "check the URL: the allocation API is <opencost>:9003/allocation",
        ) from None
    except httpx.HTTPError as exc:
        raise PipelinegenError(
            f"cannot reach OpenCost at {url}: {exc}",
            "kubectl -n opencost port-forward deployment/opencost 9003, then use "
            "http://127.0.0.1:9003/allocation",
        ) from None
    return response.content


def attribute(raw: bytes, shown: str, model: Model) -> Spend:
    try:
        data = json.loads(raw, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        line, col = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        raise _bad(shown, line, col, f"not JSON: {getattr(exc, 'msg', exc)}") from None
    sets = _sets(data, raw, shown)
    namespaces = {env.namespace: env.name for env in model.project.environments}
    totals: dict[tuple[str, str], Decimal] = {}
    others: dict[str, Decimal] = {}
    covered: set[str] = set()  # environments whose namespace the export has
    hours = ZERO
    for index, allocations in enumerate(sets):
        hours += _hours(allocations, raw, shown, index)
        for name, allocation in sorted(allocations.items()):
            if "/" not in name and not name.startswith("__"):
                raise _bad(shown, *_at(raw, shown, ("data", index, name)),
                           f"allocation {name!r} is not aggregated by namespace and label")
            cost = _cost(allocation, raw, shown, (index, name))
            namespace, _, app = name.partition("/")
            env = namespaces.get(namespace)
            if env is not None:
                covered.add(env)
            if env is not None and app in model.services:
                totals[(app, env)] = totals.get((app, env), ZERO) + cost
            else:
                others[name] = others.get(name, ZERO) + cost
    if hours <= 0:
        raise _bad(shown, 1, 1, "the export covers no time (empty window)")
    scale = HOURS_PER_MONTH / hours
    return Spend(
        source=shown, hours=hours,
        by_row={key: cents(total * scale) for key, total in totals.items()},
        environments=covered,
        unattributed={name: cents(total * scale) for name, total in others.items()},
    )


def _sets(data: Any, raw: bytes, shown: str) -> list[dict[str, Any]]:
    if not isinstance(data, dict) or "data" not in data:
        raise _bad(shown, 1, 1, "not an OpenCost allocation response: no 'data'")
    if data.get("code", 200) != 200:
        raise _bad(shown, *_at(raw, shown, ("code",)),
                   f"the export is an error response (code {data.get('code')}): "
                   f"{data.get('message', '')}".rstrip(": "))
    sets = data["data"]
    if isinstance(sets, dict):
        sets = [sets]
    if not isinstance(sets, list) or not all(isinstance(s, dict) for s in sets):
        raise _bad(shown, *_at(raw, shown, ("data",)),
                   "'data' must be a list of {name: allocation} mappings")
    for index, allocations in enumerate(sets):
        for name, allocation in allocations.items():
            if not isinstance(allocation, dict):
                raise _bad(shown, *_at(raw, shown, ("data", index, name)),
                           f"allocation {name!r} is not an object")
    return sets


def _hours(allocations: dict[str, Any], raw: bytes, shown: str, index: int) -> Decimal:
    """The step's window in hours: from its earliest start to its latest end."""
    starts, ends = [], []
    for name, allocation in allocations.items():
        window = allocation.get("window") or {}
        try:
            starts.append(_time(window.get("start") or allocation["start"]))
            ends.append(_time(window.get("end") or allocation["end"]))
        except (KeyError, TypeError, ValueError):
            raise _bad(shown, *_at(raw, shown, ("data", index, name)),
                       f"allocation {name!r} has no window start and end (RFC 3339)") from None
    if not starts:
        return ZERO
    seconds = (max(ends) - min(starts)).total_seconds()
    return Decimal(int(seconds)) / 3600


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _cost(allocation: dict[str, Any], raw: bytes, shown: str, where: tuple[int, str]) -> Decimal:
    value = allocation.get("totalCost")
    cost: Decimal | None = None
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        cost = Decimal(value)
    if cost is None or not cost.is_finite() or cost < 0:
        raise _bad(shown, *_at(raw, shown, ("data", *where)),
                   f"allocation {where[1]!r} has no totalCost (a number of at least 0)")
    return cost


def _at(raw: bytes, shown: str, loc: tuple[str | int, ...]) -> tuple[int, int]:
    return load.positions(raw, shown).of(loc, key=True)


def _bad(shown: str, line: int, col: int, message: str) -> InputError:
    return InputError([Problem(shown, line, col, RULE, message,
                               "export it with GET /allocation?window=30d&aggregate="
                               f"namespace,label:{LABEL} from the OpenCost API")])
