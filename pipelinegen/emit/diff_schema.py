"""specs/diff.schema.json: the schema of `pipelinegen diff --format json`, for its consumers."""

from __future__ import annotations

import json

from pipelinegen.core import layout
from pipelinegen.core.change_report import report_schema
from pipelinegen.core.inputs import Inputs

PATH = layout.DIFF_SCHEMA


def schema_text() -> str:
    return json.dumps(report_schema(), indent=2, ensure_ascii=False) + "\n"


def emit(inputs: Inputs) -> dict[str, str]:
    return {PATH: schema_text()}
