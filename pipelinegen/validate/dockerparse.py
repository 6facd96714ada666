"""Finding the Dockerfiles of a repository and reading their FROM lines.

Only as much of the Dockerfile syntax as FROM needs: line continuations, comments, the
`escape` parser directive, global ARGs (declared before the first FROM, with their defaults)
and `$VAR` / `${VAR}` / `${VAR:-default}` / `${VAR:+alternative}` substitution.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipelinegen.validate import repofiles

_VARIABLE = re.compile(r"\$(?:\{(\w+)(?::([-+])([^}]*))?\}|(\w+))")


def is_dockerfile(name: str) -> bool:
    """Dockerfile, Dockerfile.<x>, <x>.Dockerfile (not their .dockerignore files)."""
    if name.endswith(".dockerignore"):
        return False
    return name == "Dockerfile" or name.startswith("Dockerfile.") or name.endswith(".Dockerfile")


def find(root: Path) -> list[str]:
    """Repository-relative paths of every Dockerfile under root, sorted."""
    return [path.relative_to(root).as_posix()
            for path in repofiles.find(root, lambda path: is_dockerfile(path.name))]


@dataclass(frozen=True)
class From:
    line: int  # 1-based line of the FROM instruction
    col: int  # 1-based column of the image reference as written
    written: str  # the image reference as written
    image: str | None  # after ARG substitution; None when a variable has no value
    stage: str | None  # the AS name
    unresolved: str | None  # the first variable without a value


def instructions(text: str) -> Iterator[tuple[int, str]]:
    """(line number, logical line) for each instruction, continuations joined; the one reader
    of Dockerfile instructions (FROM for pinned-base, EXPOSE/USER/HEALTHCHECK for consistency)."""
    escape = "\\"
    lines = text.splitlines()
    index = 0
    in_directives = True
    while index < len(lines):
        raw = lines[index]
        directive = re.match(r"^#\s*escape\s*=\s*([\\`])\s*$", raw) if in_directives else None
        if directive:
            escape = directive.group(1)
        if not raw.strip() or raw.lstrip().startswith("#"):
            in_directives = in_directives and raw.lstrip().startswith("#")
            index += 1
            continue
        in_directives = False
        start = index
        parts = [raw]
        while parts[-1].rstrip().endswith(escape) and index + 1 < len(lines):
            parts[-1] = parts[-1].rstrip()[:-1]
            index += 1
            if lines[index].lstrip().startswith("#"):  # comments inside a continuation
                parts.append(escape)
                continue
            parts.append(lines[index])
        yield start + 1, " ".join(parts)
        index += 1


def substitute(value: str, variables: dict[str, str | None]) -> tuple[str, str | None]:
    """value with variables replaced; and the first variable that had no value, if any."""
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(4)
        current = variables.get(name)
        if match.group(2) == "-":
            return current if current else match.group(3)
        if match.group(2) == "+":
            return match.group(3) if current else ""
        if current is None:
            missing.append(name)
            return ""
        return current

    return _VARIABLE.sub(replace, value), (missing[0] if missing else None)


def froms(text: str) -> list[From]:
    """Every FROM of a Dockerfile, with global ARGs substituted."""
    variables: dict[str, str | None] = {}
    found: list[From] = []
    physical = text.splitlines()
    for line, instruction in instructions(text):
        keyword, _, rest = instruction.strip().partition(" ")
        keyword = keyword.upper()
        if keyword == "ARG" and not found:
            for declaration in rest.split():
                name, eq, default = declaration.partition("=")
                variables[name] = default.strip("\"'") if eq else None
        elif keyword == "FROM":
            found.append(_parse_from(line, instruction, variables, len(physical[line - 1])))
    return found


def _parse_from(line: int, instruction: str, variables: dict[str, str | None],
                first_length: int) -> From:
    words = [(m.start(), m.group()) for m in re.finditer(r"\S+", instruction)][1:]
    words = [(start, word) for start, word in words if not word.startswith("--")]
    if not words:
        return From(line, 1, "", None, None, None)
    start, written = words[0]
    stage = words[2][1].lower() if len(words) >= 3 and words[1][1].lower() == "as" else None
    image, missing = substitute(written, variables)
    col = start + 1 if start < first_length else 1  # on a continuation line: point at FROM
    return From(line, col, written, None if missing else image, stage, missing)
