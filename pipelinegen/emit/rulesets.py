""".github/rulesets/*.json: the branch protection ruleset, as the GitHub REST API takes it.

JSON holds no comment, so this file has no header; the manifest still guards it against drift.
"""

from __future__ import annotations

import json

from pipelinegen.core.inputs import Inputs
from pipelinegen.protection import ruleset


def emit(inputs: Inputs) -> dict[str, str]:
    body = ruleset.ruleset(inputs.model.project)
    return {ruleset.PATH: json.dumps(body, indent=2, ensure_ascii=False) + "\n"}
