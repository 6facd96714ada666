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
from ruamel.yaml.representer import RoundTripRepresenter

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


def dump(data: Any) -> str:
    """YAML text for plain data (dicts, lists, str, int, bool, None)."""
    stream = io.StringIO()
    _dumper().dump(data, stream)
    return stream.getvalue()


def with_comment(mapping: dict[str, Any], key: str, comment: str) -> dict[str, Any]:
    """A copy of the mapping whose `key` line ends with `# comment` (e.g. an action's tag)."""
    return with_comments(mapping, {key: comment})


def with_comments(mapping: dict[str, Any], comments: dict[str, str]) -> dict[str, Any]:
    """A copy of the mapping whose lines for the given keys end with `# <comment>`."""
    from ruamel.yaml.comments import CommentedMap

    out = CommentedMap(mapping)
    for key, comment in comments.items():
        out.yaml_add_eol_comment(f"# {comment}", key, column=0)
    return out
