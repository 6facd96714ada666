"""PromQL through a real parser (promql-parser, a binding of the Rust promql-parser crate that
follows Prometheus' grammar): whether an expression parses, and which metrics it reads."""

from __future__ import annotations

from typing import Any

_CHILDREN = ("lhs", "rhs", "expr", "args", "param", "vector_selector")


def error(expr: str) -> str | None:
    """The parser's message for an expression that does not parse; None when it does."""
    import promql_parser

    try:
        promql_parser.parse(expr)
    except ValueError as exc:
        return str(exc)
    return None


def metric_names(expr: str) -> set[str]:
    """Every metric name a (parsing) expression selects."""
    import promql_parser

    names: set[str] = set()
    _walk(promql_parser.parse(expr), names, promql_parser.VectorSelector)
    return names


def _walk(node: Any, names: set[str], selector: Any) -> None:
    if isinstance(node, selector):
        if node.name:
            names.add(str(node.name))
        return
    for attribute in _CHILDREN:
        child = getattr(node, attribute, None)
        for item in child if isinstance(child, list) else [child]:
            if item is not None and type(item).__module__.startswith("promql_parser"):
                _walk(item, names, selector)
