"""A model with vulnerability exceptions, for the scan gate and its validate rule."""

from __future__ import annotations

import datetime
from pathlib import Path

from tests.support.gitrepo import REPO_ROOT

TODAY = datetime.date(2027, 6, 1)
CVE = "CVE-2027-1234"


def workspace(tmp_path: Path, exceptions: str = "", env_fail_on: str = "") -> Path:
    text = (REPO_ROOT / "services.yaml").read_text()
    block = "  vulnerabilities:\n    exceptions:\n" + exceptions if exceptions else ""
    text = text.replace("\nbases:\n", "\n" + block + "bases:\n", 1) if block else text
    if env_fail_on:
        text = text.replace("      namespace: printloop-dev\n",
                            f"      namespace: printloop-dev\n      fail_on: {env_fail_on}\n")
    (tmp_path / "services.yaml").write_text(text)
    return tmp_path / "services.yaml"


def listed(expires: str) -> str:
    return (f"      - id: {CVE}\n        service: api\n        reason: not reachable from the"
            f" service\n        owner: \"@printloop/platform\"\n        expires: \"{expires}\"\n")
