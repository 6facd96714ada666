"""validate rule vuln-exceptions: an exception of the scan gate warns ahead of its expiry, at its
`expires` line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelinegen.workspace import Workspace
from tests.support.vulns import TODAY, listed, workspace


@pytest.mark.parametrize(("expires", "message"), [
    ("2027-06-16", None),
    ("2027-06-15", "expires in 14 day(s), on 2027-06-15"),
    ("2027-06-01", "expires today (2027-06-01)"),
    ("2027-05-31", "expired on 2027-05-31: the scan gate fails on it"),
])
def test_validate_warns_ahead_of_expiry(tmp_path: Path, expires: str,
                                        message: str | None) -> None:
    from pipelinegen import validate

    services = workspace(tmp_path, listed(expires))
    ws = Workspace.locate(services, tmp_path)
    found = validate.run(validate.Context(ws.root, ws.inputs, ws.plan, today=TODAY),
                         ["vuln-exceptions"])
    if message is None:
        assert found == []
        return
    (problem,) = found
    assert problem.level == "warning" and message in problem.message
    lines = services.read_text().splitlines()
    assert lines[problem.line - 1].strip() == f'expires: "{expires}"'
