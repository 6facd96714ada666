"""Unit tests of a service's burn-rate alerts, for `promtool test rules`.

Page alerts are tested on samples a minute apart; ticket alerts, whose windows are hours and
days, on samples 15 minutes apart (rule evaluation then costs a fifteenth, and their shortest
window, 2h, still holds eight samples). Each severity has its file, since the evaluation
interval is set per file.

For every alert, three cases on synthetic counters (1,000 requests a minute, one series of good
and one of bad requests, so the error ratio is exact):
- at 1.1 times its burn factor the alert fires once its long window and `for:` have passed;
- at 0.9 times it stays silent;
- after twice its burn factor (at most every request failing, for a loose objective) for a
  whole long window the errors stop: two short windows later the alert is silent again,
  although the long window alone would still be over the threshold (what the short window is
  for).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pipelinegen.core.model import Model
from pipelinegen.emit.observability import rules
from pipelinegen.emit.observability.slo import (
    BurnAlert,
    Objective,
    Severity,
    error_code,
    le,
    minutes,
    number,
)

PER_MINUTE = Decimal(1000)
STEP = {"page": 1, "ticket": 15}  # minutes between samples and between evaluations


def test_file(model: Model, objectives: list[Objective], severity: Severity
              ) -> dict[str, Any]:
    cases: list[dict[str, Any]] = []
    for objective in objectives:
        for alert in objective.alerts():
            if alert.policy.severity == severity:
                cases.extend(alert_cases(model, objective, alert))
    service = objectives[0].service
    return {"rule_files": ["rules.yaml"], "evaluation_interval": f"{STEP[severity]}m",
            # promtool orders groups at random unless told: the alerts must read this step's
            # recorded ratios (the last step's are 15 minutes old, past the 5m lookback).
            "group_eval_order": [f"{service}-slo-recording", f"{service}-slo-alerts"],
            "tests": cases}


def alert_cases(model: Model, objective: Objective, alert: BurnAlert) -> list[dict[str, Any]]:
    long, short, hold = (minutes(alert.policy.long), minutes(alert.policy.short),
                         minutes(alert.policy.hold))
    at = long + hold
    expected = [{
        "exp_labels": rules.alert_labels(objective, alert),
        "exp_annotations": rules.alert_annotations(model, objective, alert),
    }]
    bad_rate = alert.factor * alert.budget * PER_MINUTE
    burst = min(bad_rate * 2, PER_MINUTE)  # an error ratio is at most 1
    recover_at = long + 2 * short
    return [
        _case(f"{alert.name} fires at 1.1x its burn rate of {number(alert.factor)}",
              model, objective, [(bad_rate * Decimal("1.1"), at)], alert, at, expected),
        _case(f"{alert.name} stays silent at 0.9x its burn rate of {number(alert.factor)}",
              model, objective, [(bad_rate * Decimal("0.9"), at)], alert, at, []),
        _case(f"{alert.name} resets within two short windows ({alert.policy.short})"
              " after the errors stop",
              model, objective, [(burst, long), (Decimal(0), recover_at - long)],
              alert, recover_at, []),
    ]


def _case(name: str, model: Model, objective: Objective, phases: list[tuple[Decimal, int]],
          alert: BurnAlert, at: int, expected: list[dict[str, Any]]) -> dict[str, Any]:
    step = STEP[alert.policy.severity]
    return {
        "name": name,
        "interval": f"{step}m",
        "input_series": series(model, objective,
                               [(rate * step, length // step) for rate, length in phases], step),
        "alert_rule_test": [{"eval_time": f"{at}m", "alertname": alert.name,
                             "exp_alerts": expected}],
    }


def series(model: Model, objective: Objective, phases: list[tuple[Decimal, int]], step: int
           ) -> list[dict[str, str]]:
    """The two counters, each phase bad requests per step held for some steps."""
    svc = model.services[objective.service]
    metrics = svc.metrics
    base = metrics.matchers(objective.service)
    per_step = PER_MINUTE * step
    bad = _values(phases)
    good = _values([(per_step - rate, length) for rate, length in phases])
    total = _values([(per_step, length) for _, length in phases])
    if objective.name == "availability":
        return [
            {"series": _name(metrics.requests, {**base, "code": "200"}), "values": good},
            {"series": _name(metrics.requests, {**base, "code": error_code(metrics.error_codes)}),
             "values": bad},
        ]
    threshold = getattr(objective.slo, "threshold", 0.0)
    return [
        {"series": _name(f"{metrics.duration}_bucket", {**base, "le": le(threshold)}),
         "values": good},
        {"series": _name(f"{metrics.duration}_count", base), "values": total},
    ]


def _values(phases: list[tuple[Decimal, int]]) -> str:
    """promtool's expanding notation, `start+step x count` (count + 1 samples), a term a phase;
    each phase goes on one sample after the previous one ended."""
    (rate, length), *rest = phases
    terms = [f"0+{number(rate)}x{length}"]
    end = rate * length
    for rate, length in rest:
        terms.append(f"{number(end + rate)}+{number(rate)}x{length - 1}")
        end += rate * length
    return " ".join(terms)


def _name(metric: str, labels: dict[str, str]) -> str:
    return metric + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
