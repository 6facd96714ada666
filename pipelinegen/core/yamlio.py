"""The one configured YAML dumper; nothing else in pipelinegen calls `dump`.

Output is block style, keys in the order given, 2-space indent, no line wrapping and no
anchors, so the same data always gives the same bytes. Strings that a YAML 1.1 reader (Helm's
Go YAML, PyYAML) would take for a bool, null or number ("yes", "on", "1.10") are quoted.
"""

from __future__ import annotations

import io
import re
from functools import cache
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.resolver import VersionedResolver

_YAML11_NON_STRING = re.compile(
    r"""^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF
    |~|null|Null|NULL|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0[0-7_]+|[-+]?0x[0-9a-fA-F_]+
    |[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|<<|=)$""",
    re.VERBOSE,
)


class _Representer(RoundTripRepresenter):
    def ignore_aliases(self, data: Any) -> bool:
        return True

    def represent_str(self, data: str) -> Any:
        if isinstance(data, PlainKey):
            return self.represent_scalar("tag:yaml.org,2002:str", str(data))
        if isinstance(data, Quoted):
            return self.represent_scalar("tag:yaml.org,2002:str", str(data), style='"')
        if "\n" in data:
            return self.represent_scalar("tag:yaml.org,2002:str", data, style="|")
        if data == "" or _YAML11_NON_STRING.match(data):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        return super().represent_str(data)


class PlainKey(str):
    """A string always written plain: the `on` key of a workflow, which GitHub reads as YAML 1.2."""

    __slots__ = ()


ON = PlainKey("on")


class Quoted(str):
    """A string always written double-quoted (Chart.yaml versions, which helm lint wants so)."""

    __slots__ = ()


_Representer.add_representer(str, _Representer.represent_str)
_Representer.add_representer(PlainKey, _Representer.represent_str)
_Representer.add_representer(Quoted, _Representer.represent_str)


@cache
def _dumper() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.Representer = _Representer
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


class Commented(dict[str, Any]):
    """A mapping some of whose lines end with `# <comment>`, by key (e.g. an action's tag)."""

    __slots__ = ("comments",)

    def __init__(self, mapping: dict[str, Any], comments: dict[str, str]) -> None:
        super().__init__(mapping)
        self.comments = dict(comments)


def dump(data: Any) -> str:
    """YAML text for plain data (dicts, lists, str, int, bool, None; Commented mappings)."""
    quick = _Quick().document(data)
    if quick is not None:
        return quick
    stream = io.StringIO()
    _dumper().dump(_for_ruamel(data), stream)
    return stream.getvalue()


def _for_ruamel(data: Any) -> Any:
    """The data with each Commented mapping as ruamel's CommentedMap (its comments attached)."""
    if isinstance(data, Commented):
        from ruamel.yaml.comments import CommentedMap

        out = CommentedMap((key, _for_ruamel(value)) for key, value in data.items())
        for key, comment in data.comments.items():
            out.yaml_add_eol_comment(f"# {comment}", key, column=0)
        return out
    if type(data) is dict:
        return {key: _for_ruamel(value) for key, value in data.items()}
    if type(data) is list:
        return [_for_ruamel(item) for item in data]
    return data


def with_comment(mapping: dict[str, Any], key: str, comment: str) -> dict[str, Any]:
    """A copy of the mapping whose `key` line ends with `# comment` (e.g. an action's tag)."""
    return with_comments(mapping, {key: comment})


def with_comments(mapping: dict[str, Any], comments: dict[str, str]) -> dict[str, Any]:
    """A copy of the mapping whose lines for the given keys end with `# <comment>`."""
    previous = mapping.comments if isinstance(mapping, Commented) else {}
    return Commented(mapping, {**previous, **comments})

# --- the fast path -------------------------------------------------------------------------
# ruamel's emitter is pure Python and costs milliseconds per small document: thousands of
# generated files would take tens of seconds. The common shapes (a mapping of mappings, lists,
# one-line strings, block text, ints, bools, None) are written here directly, byte for byte as
# ruamel writes them (tests compare the two on many documents); anything else goes to ruamel.

_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = VersionedResolver(version=(1, 2))
# ASCII printable, no leading or trailing space, not starting with an indicator, no ': ' or ' #'.
_PLAIN = re.compile(r"""(?![-?:](?: |$))(?!---|\.\.\.)(?![#,\[\]{}&*!|>'"%@`])[!-~][ -~]*(?<! )""")
_ONE_LINE = re.compile(r"[ -~]*")
_NUMBER_LIKE = re.compile(r"[-+.:~<=\w]*", re.ASCII)  # needs no escape inside double quotes
_BLOCK_LINE = re.compile(r"[ -~]*(?<! )")  # a line of block text: printable, no trailing space


_MAPPINGS = (dict, Commented)


class _Unsupported(Exception):
    """A value the fast path does not write; ruamel writes the whole document."""


@cache
def _resolves_to_str(text: str) -> bool:
    return str(_RESOLVER.resolve(ScalarNode, text, (True, False))) == _STR_TAG


class _Quick:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def document(self, data: Any) -> str | None:
        if type(data) not in _MAPPINGS or not data:
            return None
        try:
            self.mapping(data, 0, "")
        except _Unsupported:
            return None
        return "\n".join(self.lines) + "\n"

    def mapping(self, data: dict[Any, Any], indent: int, first: str) -> None:
        """Keys at column `indent`; the first line starts with `first` (a list item's dash)."""
        comments = data.comments if type(data) is Commented else {}
        for index, (key, value) in enumerate(data.items()):
            if type(key) not in (str, PlainKey) or len(key) > 100 or "\n" in key:
                raise _Unsupported
            lead = first if index == 0 and first else " " * indent
            comment = comments.get(key)
            if comment is None:
                self.value(f"{lead}{self.scalar(key)}:", value, indent)
            elif _ONE_LINE.fullmatch(comment) and type(value) not in (*_MAPPINGS, list) and not (
                    type(value) is str and "\n" in value):
                self.lines.append(f"{lead}{self.scalar(key)}: {self.scalar(value)} # {comment}")
            else:
                raise _Unsupported  # a comment beside a nested value: ruamel places it

    def value(self, head: str, value: Any, indent: int) -> None:
        """`head` is `key:` or `-`; nested content is indented from `indent`."""
        kind = type(value)
        if kind in _MAPPINGS and value:
            self.lines.append(head)
            self.mapping(value, indent + 2, "")
        elif kind is list and value:
            if head.endswith("-"):
                raise _Unsupported  # a list directly in a list
            self.lines.append(head)
            self.sequence(value, indent + 2)
        elif kind in (*_MAPPINGS, list):
            self.lines.append(f"{head} {'[]' if kind is list else '{}'}")
        elif kind is str and "\n" in value:
            self.block(head, value, indent + 2)
        else:
            self.lines.append(f"{head} {self.scalar(value)}")

    def sequence(self, items: list[Any], dash: int) -> None:
        for item in items:
            if type(item) in _MAPPINGS and item:
                self.mapping(item, dash + 2, " " * dash + "- ")
            elif type(item) in (*_MAPPINGS, list):
                raise _Unsupported
            else:
                self.value(" " * dash + "-", item, dash)

    def block(self, head: str, text: str, indent: int) -> None:
        if text[0] in " \n" or text.endswith("\n\n"):
            raise _Unsupported  # needs an indentation indicator or `|+`
        lines = text.removesuffix("\n").split("\n")
        if not all(_BLOCK_LINE.fullmatch(line) for line in lines):
            raise _Unsupported
        self.lines.append(f"{head} |" + ("" if text.endswith("\n") else "-"))
        self.lines += [" " * indent + line if line else "" for line in lines]

    @staticmethod
    def scalar(value: Any) -> str:
        kind = type(value)
        if kind is str:
            return _text(value)
        if kind is PlainKey:
            return str(value)
        if kind is Quoted and _NUMBER_LIKE.fullmatch(value):  # needs no escapes
            return f'"{value}"'
        if kind is bool:
            return "true" if value else "false"
        if kind is int:
            return str(value)
        if value is None:
            return "null"
        raise _Unsupported  # floats and other types: ruamel's own representation


def _text(value: str) -> str:
    """A one-line string as ruamel writes it: plain if it can be, else quoted."""
    if len(value) > 1000:
        raise _Unsupported  # ruamel may fold long lines
    if value == "" or _YAML11_NON_STRING.match(value):  # _Representer double-quotes these
        if not _NUMBER_LIKE.fullmatch(value):
            raise _Unsupported
        return f'"{value}"'
    if (_PLAIN.fullmatch(value) and ": " not in value and " #" not in value
            and not value.endswith(":") and _resolves_to_str(value)):
        return value
    if not _ONE_LINE.fullmatch(value):
        raise _Unsupported
    if "'" in value:  # ruamel's next choice: double quotes if it holds a ', else single
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"'{value}'"
