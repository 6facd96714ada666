"""The strict base of every model of services.yaml: frozen, unknown keys refused, no coercion,
and no control character or line break in any string (keys included).

model.py, cost_settings.py and vuln_settings.py all build on it, so no part of the file can
skip the check.
"""

from __future__ import annotations

import ast
import functools
import inspect
import re
import sys
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


class Documented(BaseModel):
    """A model whose fields are described by the docstring under each, as pydantic's
    use_attribute_docstrings does, but from one parse of each module: pydantic searches the
    source anew for every class, the largest part of importing the model."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        docs = _attribute_docstrings(cls.__module__).get(cls.__qualname__, {})
        undescribed = {name: field for name, field in cls.model_fields.items()
                       if field.description is None and name in docs}
        for name, field in undescribed.items():
            field.description = docs[name]
        if undescribed and cls.__pydantic_complete__:  # built already (no defer_build): again
            cls.model_rebuild(force=True)


@functools.cache
def _attribute_docstrings(module: str) -> dict[str, dict[str, str]]:
    """{class qualname: {attribute: the docstring right under its annotated assignment}}."""
    try:
        source = inspect.getsource(sys.modules[module])
    except (KeyError, OSError, TypeError):
        return {}  # no source to read (a class made at run time): no descriptions
    found: dict[str, dict[str, str]] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                name = f"{prefix}{node.name}"
                found[name] = {
                    target.target.id: inspect.cleandoc(doc.value.value)
                    for target, doc in zip(node.body, node.body[1:], strict=False)
                    if isinstance(target, ast.AnnAssign) and isinstance(target.target, ast.Name)
                    and isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)
                    and isinstance(doc.value.value, str)}
                visit(node.body, f"{name}.")

    visit(ast.parse(source).body, "")
    return found


class Strict(Documented):
    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True,
        defer_build=True,  # the schema is built on first use: most commands use few models
    )

    @field_validator("*")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        """No string anywhere in the model (keys included) holds a control character."""
        # Called for every field of every model: a plain string, the most common value, and
        # values that hold no string (numbers, None, models validated already) are settled here.
        if value.__class__ is str:
            if _CONTROL.search(value) is not None:
                _check_strings(value)  # raises, naming the character
        elif isinstance(value, dict | list | tuple | str):
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
