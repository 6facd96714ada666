"""Line coverage from an lcov report: the figure node's and rust's gates read."""

from __future__ import annotations

REPORT = '"${RUNNER_TEMP}/lcov.info"'


def figure(report: str = REPORT) -> str:
    """Shell: the lines hit of the lines found, in percent (nothing when none are found)."""
    return ("awk -F: '/^LF:/ { found += $2 } /^LH:/ { hit += $2 }"
            " END { if (found) printf \"%.1f\\n\", 100 * hit / found }'"
            f" {report}")
