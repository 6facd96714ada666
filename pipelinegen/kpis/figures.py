"""The charter's delivery figures from workflow runs and deployments; pure, no I/O.

Definitions (also in the README):
- A deployment's outcome is its newest status other than `inactive` (GitHub marks a deployment
  inactive once a newer one succeeds): `success`, `failure` or `error` (failed); anything else
  (queued, pending, in_progress) is unfinished and not counted.
- A deployment is rolled back when a status of it says so (its description matches "rolled
  back" or "rollback"), or when it succeeded and the next finished deployment to its environment
  deploys a commit that an earlier deployment there had already deployed (the old version, back).
- Deployment success rate: deployments that succeeded and were not rolled back, of all finished.
- Change failure rate: failed or rolled-back deployments, of all finished, in the production
  environment only (each change reaches it once).
- Time to recovery, per environment: from the first failed deployment's failure (or a rolled-back
  deployment's success, when the bad version went live) to the success of the next deployment
  there that was not rolled back; failures in between belong to the same incident. Incidents not
  yet recovered are counted but have no duration.
- CI duration: a completed run's `updated_at` minus its `run_started_at`; p50 and p95 are
  nearest-rank percentiles of runs that succeeded or failed (cancelled and skipped runs say
  nothing about duration).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

# The charter's targets.
SUCCESS_RATE_TARGET = 99.0  # percent of deployments succeed without rollback, at least
CHANGE_FAILURE_TARGET = 1.0  # percent of production deployments fail or roll back, at most
CI_MINUTES_TARGET = 20.0  # p95 of CI runs on the default branch, below
MTTR_MINUTES_TARGET = 30.0  # mean time to recovery, below

ROLLED_BACK = re.compile(r"roll(ed|ing)?[ -]?back", re.IGNORECASE)
FAILED_STATES = ("failure", "error")


@dataclass(frozen=True)
class Status:
    state: str
    at: datetime
    description: str = ""


@dataclass(frozen=True)
class Deployment:
    id: int
    environment: str
    sha: str
    created: datetime
    statuses: tuple[Status, ...]  # oldest first

    def final(self) -> Status | None:
        """The newest status that is not `inactive`."""
        active = [status for status in self.statuses if status.state != "inactive"]
        return active[-1] if active else None

    def outcome(self) -> str:
        final = self.final()
        if final is None:
            return "unfinished"
        if final.state == "success":
            return "success"
        return "failure" if final.state in FAILED_STATES else "unfinished"


@dataclass(frozen=True)
class Run:
    id: int
    conclusion: str
    started: datetime
    updated: datetime

    def minutes(self) -> float:
        return (self.updated - self.started).total_seconds() / 60


@dataclass(frozen=True)
class Figure:
    name: str
    value: float | None  # None: no data
    unit: str  # "%" or "min"
    target: str  # e.g. ">= 99 %"
    met: bool | None  # None: no data, so no verdict
    detail: str = ""


@dataclass(frozen=True)
class Judged:
    """One finished deployment and what became of it."""

    deployment: Deployment
    outcome: str  # success or failure
    rolled_back: bool

    @property
    def bad(self) -> bool:
        return self.outcome == "failure" or self.rolled_back


def judge(deployments: list[Deployment]) -> list[Judged]:
    """Finished deployments in time order, each with its outcome and whether it was rolled back."""
    judged: list[Judged] = []
    by_env: dict[str, list[Deployment]] = {}
    for deployment in sorted(deployments, key=lambda d: (d.created, d.id)):
        if deployment.outcome() != "unfinished":
            by_env.setdefault(deployment.environment, []).append(deployment)
    for env in sorted(by_env):
        finished = by_env[env]
        for index, deployment in enumerate(finished):
            outcome = deployment.outcome()
            said = any(ROLLED_BACK.search(status.description) for status in deployment.statuses)
            went_back = False
            if outcome == "success" and index + 1 < len(finished):
                following = finished[index + 1]
                earlier = {d.sha for d in finished[:index] if d.outcome() == "success"}
                went_back = following.sha != deployment.sha and following.sha in earlier
            judged.append(Judged(deployment, outcome, said or went_back))
    return sorted(judged, key=lambda j: (j.deployment.created, j.deployment.id))


@dataclass(frozen=True)
class Incident:
    environment: str
    started: datetime
    recovered: datetime | None

    def minutes(self) -> float | None:
        if self.recovered is None:
            return None
        return (self.recovered - self.started).total_seconds() / 60


def incidents(judged: list[Judged]) -> list[Incident]:
    """Each environment's runs of bad deployments, from the first going bad to the next good one."""
    found: list[Incident] = []
    envs = sorted({j.deployment.environment for j in judged})
    for env in envs:
        opened: datetime | None = None
        for item in (j for j in judged if j.deployment.environment == env):
            final = item.deployment.final()
            assert final is not None  # judged deployments are finished
            if item.bad and opened is None:
                opened = final.at
            elif not item.bad and opened is not None:
                found.append(Incident(env, opened, final.at))
                opened = None
        if opened is not None:
            found.append(Incident(env, opened, None))
    return found


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: the smallest value with at least q% of the values at or below."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def _rate(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def _verdict(value: float | None, ok: bool) -> bool | None:
    return None if value is None else ok


def figures(runs: list[Run], deployments: list[Deployment], production: str) -> list[Figure]:
    """Every figure, each against its target."""
    judged = judge(deployments)
    good = sum(not j.bad for j in judged)
    failed = sum(j.outcome == "failure" for j in judged)
    rolled = sum(j.rolled_back for j in judged)
    rate = _rate(good, len(judged))
    prod = [j for j in judged if j.deployment.environment == production]
    cfr = _rate(sum(j.bad for j in prod), len(prod))
    timed = [run.minutes() for run in runs if run.conclusion in ("success", "failure")]
    p50 = percentile(timed, 50) if timed else None
    p95 = percentile(timed, 95) if timed else None
    found = incidents(judged)
    durations = [m for incident in found if (m := incident.minutes()) is not None]
    mttr = sum(durations) / len(durations) if durations else None
    still_open = len(found) - len(durations)
    return [
        Figure("deployment success rate", rate, "%", f">= {SUCCESS_RATE_TARGET:g} %",
               _verdict(rate, rate is not None and rate >= SUCCESS_RATE_TARGET),
               f"{good} of {len(judged)} deployments succeeded without rollback"),
        Figure("deployments failed", float(failed), "", "", None,
               f"{failed} of {len(judged)} finished deployments"),
        Figure("rollbacks", float(rolled), "", "", None,
               f"{rolled} of {len(judged)} finished deployments"),
        Figure("change failure rate", cfr, "%", f"<= {CHANGE_FAILURE_TARGET:g} %",
               _verdict(cfr, cfr is not None and cfr <= CHANGE_FAILURE_TARGET),
               f"{sum(j.bad for j in prod)} of {len(prod)} deployments to {production}"),
        Figure("CI duration p50", p50, "min", f"< {CI_MINUTES_TARGET:g} min",
               _verdict(p50, p50 is not None and p50 < CI_MINUTES_TARGET),
               f"{len(timed)} runs that succeeded or failed"),
        Figure("CI duration p95", p95, "min", f"< {CI_MINUTES_TARGET:g} min",
               _verdict(p95, p95 is not None and p95 < CI_MINUTES_TARGET),
               f"{len(timed)} runs that succeeded or failed"),
        Figure("mean time to recovery", mttr, "min", f"< {MTTR_MINUTES_TARGET:g} min",
               _verdict(mttr, mttr is not None and mttr < MTTR_MINUTES_TARGET),
               f"{len(durations)} recovered incident(s)"
               + (f", {still_open} not yet recovered" if still_open else "")),
    ]
