"""The OpenSSF Scorecard checks besides Branch-Protection that a generated repository meets by
its files: SAST (a CodeQL workflow), Dependency-Update-Tool (Dependabot) and Security-Policy."""

from __future__ import annotations

from pathlib import Path

from pipelinegen.core import layout

# (Scorecard check, the file that meets it), in Scorecard's order; emit writes each of them.
CHECKS = (
    ("SAST", layout.CODEQL_WORKFLOW),
    ("Dependency-Update-Tool", layout.DEPENDABOT),
    ("Security-Policy", layout.SECURITY),
)


def unmet(root: Path) -> list[tuple[str, str]]:
    """The checks whose file is missing from the repository."""
    return [(check, path) for check, path in CHECKS if not (root / path).is_file()]
