"""The scan gate's decision: which findings fail it, given the threshold and the exceptions.

Pure: findings, exceptions and today's date in, a decision out (no clock is read here).
An exception holds through its `expires` day. An expired exception for the service fails
the gate whether or not its vulnerability is still found: it must be renewed or removed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from pipelinegen.core.vuln_settings import SEVERITIES, VulnException
from pipelinegen.vulns.report import Finding


@dataclass(frozen=True)
class Decision:
    blocking: tuple[Finding, ...]
    """Findings at or above the threshold with no valid exception."""
    excepted: tuple[Finding, ...]
    """Findings at or above the threshold that a valid exception lets through."""
    expired: tuple[VulnException, ...]
    """The service's exceptions past their expiry."""

    @property
    def passed(self) -> bool:
        return not self.blocking and not self.expired


def rank(severity: str) -> int:
    """Higher is worse; a severity neither scanner should report ranks lowest."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def is_expired(exception: VulnException, today: datetime.date) -> bool:
    return today > exception.expiry()


def decide(findings: Iterable[Finding], exceptions: Iterable[VulnException], service: str,
           fail_on: str, today: datetime.date) -> Decision:
    own = [e for e in exceptions if e.service == service]
    expired = tuple(sorted((e for e in own if is_expired(e, today)), key=lambda e: e.id))
    valid = {e.id for e in own if not is_expired(e, today)}
    serious = sorted({f for f in findings if rank(f.severity) >= rank(fail_on)})
    return Decision(
        blocking=tuple(f for f in serious if not valid & f.ids),
        excepted=tuple(f for f in serious if valid & f.ids),
        expired=expired,
    )


def expiring(exceptions: Iterable[VulnException], today: datetime.date,
             warn_days: int) -> list[tuple[int, int]]:
    """(index, days left) of each exception that expires within warn_days, or has expired
    (negative: days since). An exception expiring today has 0 days left and still holds."""
    out = []
    for index, exception in enumerate(exceptions):
        left = (exception.expiry() - today).days
        if left <= warn_days:
            out.append((index, left))
    return out
