"""The strict base of every model of services.yaml: frozen, unknown keys refused, no coercion,
and no control character or line break in any string (keys included).

model.py, cost_settings.py and vuln_settings.py all build on it, so no part of the file can
skip the check.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

# C0 and C1 control characters (NEL, U+0085, among them) and the Unicode line and paragraph
# separators: YAML, shells and GitHub read some of them as line breaks. No model string has one.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_NAMES = {"\t": "tab", "\n": "newline", "\r": "carriage return", "\x85": "NEL",
                  "\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR", "\x00": "NUL",
                  "\x1b": "escape", "\x7f": "DEL"}
CONTROL_MEANING = ("a control character or line break that YAML, shells or GitHub may read"
                   " differently")


class Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True,
        defer_build=True,  # the schema is built on first use: most commands use few models
    )

    @field_validator("*")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        """No string anywhere in the model (keys included) holds a control character."""
        _check_strings(value)
        return value


def control_character(text: str) -> str | None:
    """The first control character or line break in text, named (e.g. "U+0085 (NEL)")."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    char = found.group()
    return f"U+{ord(char):04X}" + (f" ({_CONTROL_NAMES[char]})" if char in _CONTROL_NAMES else "")


def _check_strings(value: Any) -> None:
    if isinstance(value, str):
        named = control_character(value)
        if named is not None:
            raise ValueError(f"contains {named}, {CONTROL_MEANING}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_strings(item)
