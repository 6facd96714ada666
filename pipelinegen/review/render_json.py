"""The review as JSON, valid against specs/diff.schema.json."""

from __future__ import annotations

from pipelinegen.core.change_report import ChangeReport


def render(report: ChangeReport) -> str:
    return report.model_dump_json(indent=2) + "\n"
