"""Rule vuln-exceptions: warn before a vulnerability exception expires and the gate fails."""

from __future__ import annotations

from collections.abc import Iterator

from pipelinegen.core.errors import Problem
from pipelinegen.validate.registry import Context, rule
from pipelinegen.vulns import gate

RULE = "vuln-exceptions"


@rule(RULE)
def vuln_exceptions(context: Context) -> Iterator[Problem]:
    """Each exception expiring within project.vulnerabilities.warn_days (default 14) is a warning;
    one already expired is a warning that the gate now fails on it.

    Passes:  expires: "2027-06-30"   (today 2027-06-01, warn_days 14: 29 days left)
    Fails:   expires: "2027-06-10"   (9 days left: renew or fix before then)
             expires: "2027-05-31"   (expired yesterday: the gate fails)
    """
    settings = context.model.project.vulnerabilities
    for index, left in gate.expiring(settings.exceptions, context.today, settings.warn_days):
        exception = settings.exceptions[index]
        line, col = context.positions.of(
            ("project", "vulnerabilities", "exceptions", index, "expires"))
        what = f"exception for {exception.id} in {exception.service} (owner {exception.owner})"
        if left < 0:
            message = (f"{what} expired on {exception.expires}: the scan gate fails on it")
        elif left == 0:
            message = f"{what} expires today ({exception.expires})"
        else:
            message = f"{what} expires in {left} day(s), on {exception.expires}"
        yield Problem(context.inputs.source, line, col, RULE, message,
                      "fix the vulnerability and remove the exception, or renew it with a new"
                      " expiry and reason", level="warning")
