"""Findings from the scanners' JSON reports: grype (`-o json`) and trivy (`--format json`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pipelinegen.core.errors import PipelinegenError


@dataclass(frozen=True, order=True)
class Finding:
    id: str
    severity: str  # lower case, one of settings.SEVERITIES (or "unknown")
    package: str
    version: str
    aliases: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def ids(self) -> frozenset[str]:
        """The id and its aliases (grype reports a GHSA with its CVE as related)."""
        return frozenset({self.id}) | self.aliases


def parse(text: str, scanner: str, shown: str) -> list[Finding]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PipelinegenError(f"{shown}: not a JSON report: {exc.msg}",
                               f"pass the {scanner} report written in JSON") from None
    try:
        return _grype(data) if scanner == "grype" else _trivy(data)
    except (KeyError, TypeError, AttributeError):
        raise PipelinegenError(f"{shown}: not a {scanner} JSON report",
                               "pass --scanner matching the tool that wrote it") from None


def _grype(data: dict[str, Any]) -> list[Finding]:
    out = []
    for match in data["matches"]:
        vuln, artifact = match["vulnerability"], match["artifact"]
        related = frozenset(r["id"] for r in match.get("relatedVulnerabilities") or [])
        out.append(Finding(vuln["id"], vuln["severity"].lower(), artifact["name"],
                           artifact["version"], related))
    return out


def _trivy(data: dict[str, Any]) -> list[Finding]:
    out = []
    for result in data.get("Results") or []:
        for vuln in result.get("Vulnerabilities") or []:
            out.append(Finding(vuln["VulnerabilityID"], vuln["Severity"].lower(),
                               vuln["PkgName"], vuln["InstalledVersion"],
                               frozenset(vuln.get("VendorIDs") or [])))
    return out
