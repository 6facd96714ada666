"""The vulnerability settings of services.yaml: scanner, gate severity and the exceptions.

They live here rather than in model.py to keep the vocabulary in one package; model.py
imports them into Project and Environment.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from pipelinegen.core.strictmodel import Strict

SEVERITIES = ("negligible", "low", "medium", "high", "critical")
Severity = Literal["negligible", "low", "medium", "high", "critical"]
# CVE ids and GitHub advisory ids, the two forms both scanners report.
VULN_ID = r"^(CVE-[0-9]{4}-[0-9]{4,}|GHSA(-[23456789cfghjmpqrvwx]{4}){3})$"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
NAME = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
OWNER = r"^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(/[A-Za-z0-9._-]+)?$|^[^@\s]+@[^@\s]+\.[a-z]+$"
TEXT = r"^[^\x00-\x1f\x7f]*$"


def _real_date(value: str) -> str:
    datetime.date.fromisoformat(value)  # raises ValueError on 2026-02-30
    return value


class VulnException(Strict):
    """A vulnerability the gate lets through for one service, until it expires."""

    id: Annotated[str, Field(pattern=VULN_ID, max_length=64)]
    """The vulnerability, e.g. CVE-2026-12345 or GHSA-xxxx-xxxx-xxxx."""
    service: Annotated[str, Field(pattern=NAME, max_length=63)]
    """The service whose image may carry it."""
    reason: Annotated[str, Field(pattern=TEXT, min_length=10, max_length=1024)]
    """Why it is acceptable for now (not reachable, no fix released, ...)."""
    owner: Annotated[str, Field(pattern=OWNER, max_length=140)]
    """Who answers for it: @user, @org/team or an e-mail address."""
    expires: Annotated[str, Field(pattern=DATE), AfterValidator(_real_date)]
    """Last day it holds, quoted: "2026-12-31". From the day after, the gate fails on it."""

    def expiry(self) -> datetime.date:
        return datetime.date.fromisoformat(self.expires)


class Vulnerabilities(Strict):
    scanner: Literal["grype", "trivy"] = "grype"
    """Scanner of every image: grype (anchore/scan-action) or trivy (aquasecurity/trivy-action,
    pinned by commit)."""
    fail_on: Severity = "critical"
    """Lowest severity that fails the gate; an environment may set its own."""
    warn_days: Annotated[int, Field(ge=0, le=365)] = 14
    """`validate` warns when an exception expires within this many days."""
    rescan: Annotated[str, Field(pattern=r"^[0-9*/,\- ]{9,64}$")] = "17 5 * * *"
    """Cron schedule (UTC) of the re-scan of the deployed images."""
    exceptions: list[VulnException] = Field(default_factory=list)
    """Accepted vulnerabilities, each for one service, with a reason, an owner and an expiry."""
