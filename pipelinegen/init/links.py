"""Shared packages, which services use them, and who owns what (from an existing CODEOWNERS).

A service depends on a library when it declares it (by name in its manifest, or by a relative
path), or, for a stack whose detector knows packages and imports (python), when its code
imports a package that lives in the library's directory.
Dependencies are followed through libraries, since a build needs every one of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelinegen import stacks
from pipelinegen.init.detect import Project
from pipelinegen.init.tree import Tree, parent

CODEOWNERS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")  # GitHub's order


@dataclass(frozen=True)
class Library:
    path: str
    names: frozenset[str]  # what a dependent names or imports it by
    why: str
    kind: str  # the stack whose manifest or package it is


def libraries(tree: Tree, projects: list[Project], services: set[str]) -> list[Library]:
    """Projects that are not services, and packages (python's) outside any service's
    directory."""
    found = {project.path: Library(project.path, _names(project.name),
                                   f"{project.manifest} (no entry point)", project.kind)
             for project in projects if project.path not in services and project.path}
    for kind, detector in stacks.detectors().items():
        if detector.package is None:
            continue
        for marker in tree.code("", f"/{detector.package}"):
            package = parent(marker)
            home = parent(package)
            if home.endswith("/src") or home == "src":  # the src layout: the project is above
                home = parent(home)
            if not home or tree.has(f"{home}/{detector.package}") or _inside(home, services):
                continue
            known = found.get(home)
            names = (known.names if known else frozenset()) | {package.rpartition("/")[2]}
            found[home] = Library(home, names, known.why if known else f"the {kind} package"
                                  f" {package}", kind)
    return [found[path] for path in sorted(found)]


def depends_on(tree: Tree, project: Project, libs: list[Library],
               projects: dict[str, Project]) -> dict[str, str]:
    """Library path -> why, for every library the project needs (directly or through another)."""
    needed: dict[str, str] = {}
    kinds = {lib.path: lib.kind for lib in libs}
    todo = [project]
    while todo:
        current = todo.pop()
        for lib, why in _direct(tree, current, libs).items():
            if lib not in needed and lib != project.path:
                needed[lib] = why if current is project else f"{why}, needed by {current.path}"
                if lib in projects:
                    todo.append(projects[lib])
                else:
                    todo.append(Project(lib, kinds[lib], "", lib))  # a bare package: its imports
    return dict(sorted(needed.items()))


def _direct(tree: Tree, project: Project, libs: list[Library]) -> dict[str, str]:
    found: dict[str, str] = {}
    for lib in libs:
        if lib.path in project.local:
            found[lib.path] = f"{project.manifest or project.path} refers to {lib.path}"
        elif named := lib.names & {name.lower() for name in project.requires}:
            found[lib.path] = f"{project.manifest} requires {sorted(named)[0]}"
    detector = stacks.detectors().get(project.kind)
    if detector is not None and detector.imports is not None:
        imports = {name for path in tree.code(project.path, *detector.code)
                   for name in detector.imports.findall(tree.read(path) or "")}
        for lib in libs:
            if lib.path not in found and (hit := lib.names & imports):
                found[lib.path] = f"its code imports {sorted(hit)[0]}"
    return found


def _names(name: str) -> frozenset[str]:
    """A package's name as dependents write it: declared, and as a Python import."""
    return frozenset({name.lower(), name.lower().replace("-", "_")})


def _inside(path: str, directories: set[str]) -> bool:
    return any(path == d or path.startswith(f"{d}/") for d in directories if d)


# --- CODEOWNERS ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerRule:
    pattern: re.Pattern[str]
    owners: tuple[str, ...]
    line: int


def codeowners(tree: Tree) -> tuple[str, list[OwnerRule]] | None:
    """The repository's CODEOWNERS file and its rules, in file order; None without one."""
    for path in CODEOWNERS:
        text = tree.read(path) if tree.has(path) else None
        if text is not None:
            rules = []
            for number, line in enumerate(text.splitlines(), 1):
                fields = line.split("#", 1)[0].split()
                if len(fields) >= 2:
                    rules.append(OwnerRule(_pattern(fields[0]), tuple(fields[1:]), number))
            return path, rules
    return None


def owners_of(rules: list[OwnerRule], path: str) -> OwnerRule | None:
    """The rule GitHub applies to files in a directory: the last one that matches."""
    probe = f"{path}/-" if path else "-"
    matched = [rule for rule in rules if rule.pattern.fullmatch(probe)]
    return matched[-1] if matched else None


def _pattern(text: str) -> re.Pattern[str]:
    """A CODEOWNERS (gitignore-style) pattern as a regex over repository paths."""
    anchored = text.startswith("/") or "/" in text.rstrip("/")
    body = text.strip("/")
    regex = ""
    for index, part in enumerate(re.split(r"(\*\*|\*|\?)", body)):
        if index % 2 == 0:
            regex += re.escape(part)
        else:
            regex += {"**": ".*", "*": "[^/]*", "?": "[^/]"}[part]
    if body in ("", "*", "**"):
        return re.compile(".*")
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"{prefix}{regex}(?:/.*)?")
