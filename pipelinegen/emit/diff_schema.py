"""specs/diff.schema.json: the schema of `pipelinegen diff --format json`, for its consumers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pipelinegen.core import layout

if TYPE_CHECKING:
    from pipelinegen.core.inputs import Inputs

PATH = layout.DIFF_SCHEMA


def schema_text() -> str:
    # The report's models are imported here: a generate whose cache holds this file (plan.py,
    # emit.CONSTANT) never needs them.
    from pipelinegen.core.change_report import report_schema

    return json.dumps(report_schema(), indent=2, ensure_ascii=False) + "\n"


def emit(inputs: Inputs) -> dict[str, str]:
    return {PATH: schema_text()}
