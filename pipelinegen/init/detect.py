"""Projects found by their manifests: what kind, which version, whether they run, how to test.

One function per manifest kind reads its files and says what it found and why; scan decides
which projects become services. Nothing here guesses without giving its reason.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pipelinegen.init.tree import Tree, parent


class Guess(NamedTuple):
    value: Any
    why: str


@dataclass
class Project:
    """A directory that a manifest makes a project of its own."""

    path: str  # directory relative to the root ("" for the root itself)
    kind: str  # python | node | go | java | dotnet | rust | static | docker
    manifest: str  # the file that shows it
    name: str  # the name it declares (package, module path) or its directory's
    version: Guess | None = None
    entry: str | None = None  # why it runs as a service; None: a library
    command: Guess | None = None
    test: Guess | None = None
    build_tool: Guess | None = None  # the stack's build tool its manifest shows
    dockerfile: str | None = None  # a Dockerfile already in the directory
    workspace: bool = False  # declares workspace members (a monorepo root)
    requires: set[str] = field(default_factory=set)  # names of the packages it depends on
    local: set[str] = field(default_factory=set)  # directories it depends on by path


# Manifest files by kind, in the order that decides a directory holding several (pom.xml
# before build.gradle, as the java build script chooses).
MANIFESTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("go", ("go.mod",)),
    ("node", ("package.json",)),
    ("python", ("pyproject.toml", "requirements.txt", "setup.cfg", "setup.py")),
    ("java", ("pom.xml", "build.gradle", "build.gradle.kts")),
    ("dotnet", (".csproj",)),
    ("rust", ("Cargo.toml",)),
)
DOCKERFILE = "Dockerfile"
NPM_PLACEHOLDER = "no test specified"


def detect(tree: Tree) -> list[Project]:
    """Every project of the repository, sorted by path."""
    by_dir: dict[str, list[tuple[int, int, str]]] = {}  # (kind rank, name rank, path)
    for path in tree.files:
        name = path.rpartition("/")[2]
        for rank, (kind, names) in enumerate(MANIFESTS):
            if name in names or (kind == "dotnet" and name.endswith(".csproj")):
                order = names.index(name) if name in names else 0
                by_dir.setdefault(parent(path), []).append((rank, order, path))
        if name == "index.html" and parent(path).endswith("public"):
            by_dir.setdefault(parent(parent(path)), []).append((len(MANIFESTS), 0, path))
        elif name == DOCKERFILE:
            by_dir.setdefault(parent(path), []).append((len(MANIFESTS) + 1, 0, path))
    projects = []
    for directory, found in sorted(by_dir.items()):
        rank, _, manifest = min(found)
        kind = MANIFESTS[rank][0] if rank < len(MANIFESTS) else (
            "static" if rank == len(MANIFESTS) else "docker")
        project = Project(directory, kind, manifest, directory.rpartition("/")[2] or "")
        if tree.has(f"{directory}/{DOCKERFILE}" if directory else DOCKERFILE):
            project.dockerfile = f"{directory}/{DOCKERFILE}" if directory else DOCKERFILE
        READERS[kind](tree, project)
        projects.append(project)
    return projects


# --- per kind ------------------------------------------------------------------------------


def _python(tree: Tree, project: Project) -> None:
    here = _join(project.path)
    data = _toml(tree.read(f"{here}pyproject.toml"))
    meta = data.get("project", {})
    project.name = str(meta.get("name") or project.name)
    requirements = "\n".join(tree.read(path) or "" for path in tree.under(project.path, ".txt")
                             if path.rpartition("/")[2].startswith("requirements"))
    declared = [*meta.get("dependencies", []),
                *(dep for group in meta.get("optional-dependencies", {}).values() for dep in group),
                *(dep for group in data.get("dependency-groups", {}).values() for dep in group
                  if isinstance(dep, str)),
                *requirements.splitlines()]
    project.requires = {_requirement_name(dep) for dep in declared} - {""}
    project.local = {_relative(project.path, dep) for dep in _path_requirements(declared)}
    project.workspace = "workspace" in data.get("tool", {}).get("uv", {})
    if (spec := meta.get("requires-python")) and (version := _major_minor(str(spec))):
        project.version = Guess(version, f"requires-python {spec!r} in pyproject.toml")
    elif (pinned := tree.read(f"{here}.python-version")) and (version := _major_minor(pinned)):
        project.version = Guess(version, ".python-version")
    mains = sorted(path for path in tree.code(project.path, "/__main__.py"))
    scripts = [f"{here}{name}" for name in ("main.py", "app.py", "server.py")
               if tree.has(f"{here}{name}")]
    if mains:
        module = mains[0][len(here):-len("/__main__.py")].replace("/", ".")
        project.entry = f"it has {mains[0]}"
        project.command = Guess(["python", "-m", module], f"{mains[0]} makes it runnable")
    elif scripts:
        project.entry = f"it has {scripts[0]}"
        project.command = Guess(["python", scripts[0][len(here):]], f"{scripts[0]} exists")
    tests = [path for path in tree.under(project.path, ".py")
             if path.rpartition("/")[2].startswith("test_")]
    if "pytest" in project.requires or tree.has(f"{here}conftest.py") or "pytest" in data.get(
            "tool", {}):
        project.test = Guess(["python", "-m", "pytest"], "the project uses pytest")
    elif tests:
        folder = parent(tests[0])[len(here):] or "."
        project.test = Guess(["python", "-m", "unittest", "discover", "-s", folder],
                             f"unittest files in {parent(tests[0]) or '.'}/ (no pytest declared)")


def _node(tree: Tree, project: Project) -> None:
    data = _json(tree.read(project.manifest))
    project.name = str(data.get("name") or project.name)
    scripts = data.get("scripts") or {}
    deps = {**(data.get("dependencies") or {}), **(data.get("devDependencies") or {})}
    project.requires = set(deps)
    project.local = {_relative(project.path, spec.removeprefix("file:"))
                     for spec in deps.values() if isinstance(spec, str)
                     and spec.startswith(("file:", "../", "./"))}
    project.workspace = bool(data.get("workspaces"))
    engines = data.get("engines") or {}
    here = _join(project.path)
    if (spec := engines.get("node")) and (major := _major(str(spec))):
        project.version = Guess(major, f"engines.node {spec!r} in package.json")
    elif (nvmrc := tree.read(f"{here}.nvmrc")) and (major := _major(nvmrc)):
        project.version = Guess(major, ".nvmrc")
    start = str(scripts.get("start", ""))
    argv = _plain_argv(start)
    if argv and argv[0] == "node":
        project.entry = f"its start script is {start!r}"
        project.command = Guess(argv, "the start script of package.json")
    elif start:
        project.entry = f"it has a start script ({start!r})"
    elif (main := data.get("main")) and _listens(tree.read(f"{here}{main}")):
        project.entry = f"its main file {main} listens on a port"
        project.command = Guess(["node", str(main)], "main in package.json")
    test = str(scripts.get("test", ""))
    if test and NPM_PLACEHOLDER not in test:
        # CI's coverage gate wraps a plain `node ...` command, so the script is run directly.
        argv = _plain_argv(test)
        if argv and argv[0] == "node":
            project.test = Guess(argv, f"the test script of package.json ({test!r})")
        else:
            project.test = Guess(["npm", "test"], f"the test script of package.json ({test!r})")


def _go(tree: Tree, project: Project) -> None:
    text = tree.read(project.manifest) or ""
    if module := re.search(r"^module\s+(\S+)", text, re.M):
        project.name = module.group(1)
    if version := re.search(r"^go\s+([0-9]+\.[0-9]+)", text, re.M):
        project.version = Guess(version.group(1), f"the go directive in {project.manifest}")
    project.requires = set(re.findall(r"^\s*(?:require\s+)?([a-z0-9.-]+\.[a-z]+/\S+)\s+v",
                                      text, re.M))
    project.local = {_relative(project.path, target) for target in
                     re.findall(r"=>\s*(\.\.?/\S+)", text)}
    here = _join(project.path)
    mains = [path for path in tree.under(project.path, ".go") if parent(path) == project.path
             and not path.endswith("_test.go")
             and re.search(r"^package\s+main\b", tree.read(path) or "", re.M)]
    if mains:
        project.entry = f"{mains[0]} is package main"
    if any(path.endswith("_test.go") for path in tree.under(project.path)):
        project.test = Guess(["go", "test", "./..."], f"_test.go files under {here or './'}")


def _java(tree: Tree, project: Project) -> None:
    text = tree.read(project.manifest) or ""
    found = (re.search(r"<(?:maven\.compiler\.release|java\.version|maven\.compiler\.source)>"
                       r"\s*([0-9]+)", text)
             or re.search(r"(?:languageVersion\.set\(JavaLanguageVersion\.of|"
                          r"JavaLanguageVersion\.of)\(\s*([0-9]+)", text)
             or re.search(r"sourceCompatibility\s*=\s*['\"]?(?:JavaVersion\.VERSION_)?([0-9]+)",
                          text))
    if found:
        project.version = Guess(found.group(1), f"the Java release in {project.manifest}")
    sources = tree.code(project.path, ".java", ".kt")
    if any(re.search(r"static\s+void\s+main\s*\(|fun\s+main\s*\(|@SpringBootApplication",
                     tree.read(path) or "") for path in sources):
        project.entry = "it has a main class"
    here = _join(project.path)
    tool = "maven" if project.manifest.endswith("pom.xml") else "gradle"
    project.build_tool = Guess(tool, f"{project.manifest} is {tool.capitalize()}'s")
    if tool == "maven":
        project.workspace = "<modules>" in text
        wrapper = tree.has(f"{here}mvnw")
        project.test = Guess(["./mvnw" if wrapper else "mvn", "--batch-mode", "test"],
                             "Maven's test phase" + (", through the project's mvnw" * wrapper))
    else:
        wrapper = tree.has(f"{here}gradlew")
        project.test = Guess(["./gradlew" if wrapper else "gradle", "test"],
                             "Gradle's test task" + (", through the project's gradlew" * wrapper))


def _dotnet(tree: Tree, project: Project) -> None:
    text = tree.read(project.manifest) or ""
    if found := re.search(r"<TargetFramework>net([0-9]+\.[0-9]+)", text):
        project.version = Guess(found.group(1), f"TargetFramework in {project.manifest}")
    if "Microsoft.NET.Sdk.Web" in text or "<OutputType>Exe" in text:
        project.entry = f"{project.manifest} builds an executable"
    tests = sorted(path for path in tree.under(project.path, ".csproj")
                   if "Microsoft.NET.Test.Sdk" in (tree.read(path) or ""))
    if tests and parent(tests[0]) != project.path:  # the tests are a project of their own
        where = parent(tests[0]).removeprefix(_join(project.path))
        project.test = Guess(["dotnet", "test", where], f"{tests[0]} is a test project")
    else:
        project.test = Guess(["dotnet", "test"], ".NET's test runner")


def _rust(tree: Tree, project: Project) -> None:
    data = _toml(tree.read(project.manifest))
    project.name = str(data.get("package", {}).get("name") or project.name)
    project.workspace = "workspace" in data
    if version := data.get("package", {}).get("rust-version"):
        project.version = Guess(str(version), f"rust-version in {project.manifest}")
    if tree.has(f"{_join(project.path)}src/main.rs"):
        project.entry = "it has src/main.rs"
    project.test = Guess(["cargo", "test"], "Cargo's test runner")


def _static(tree: Tree, project: Project) -> None:
    project.entry = "a site to serve"


def _docker(tree: Tree, project: Project) -> None:
    project.entry = f"it has its own {project.manifest}"


READERS: dict[str, Callable[[Tree, Project], None]] = {
    "python": _python, "node": _node, "go": _go, "java": _java, "dotnet": _dotnet,
    "rust": _rust, "static": _static, "docker": _docker,
}

# --- helpers -------------------------------------------------------------------------------


def _listens(text: str | None) -> bool:
    return bool(text) and re.search(r"\.listen\(|ListenAndServe|HTTPServer\(|uvicorn\.run|"
                                    r"app\.run\(|serve\(", text or "") is not None


def _join(directory: str) -> str:
    return f"{directory}/" if directory else ""


def _toml(text: str | None) -> dict[str, Any]:
    try:
        return tomllib.loads(text) if text else {}
    except tomllib.TOMLDecodeError:
        return {}


def _json(text: str | None) -> dict[str, Any]:
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _requirement_name(line: str) -> str:
    """'Flask[async]>=2 ; python_version>"3"' -> 'flask'; options and paths -> ''."""
    line = line.split("#", 1)[0].strip()
    match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    return "" if line.startswith("-") or match is None else match.group(1).lower().replace(
        "_", "-")


def _path_requirements(lines: list[str]) -> list[str]:
    """Requirements given by a relative path: `-e ../shared`, `../shared`, `x @ file:../x`."""
    found = []
    for line in lines:
        text = line.split("#", 1)[0].strip().removeprefix("-e").strip()
        text = text.rpartition("file:")[2] if "file:" in text else text
        if text.startswith(("../", "./")):
            found.append(text.rstrip("/"))
    return found


def _relative(directory: str, target: str) -> str:
    """A path written relative to `directory`, as a repository path (may climb out: scan drops
    what is not a project)."""
    parts = [part for part in directory.split("/") if part]
    for part in target.strip().rstrip("/").split("/"):
        if part == "..":
            if not parts:
                return ""
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def _major_minor(spec: str) -> str | None:
    found = re.search(r"([0-9]+\.[0-9]+)", spec)
    return found.group(1) if found else None


def _major(spec: str) -> str | None:
    found = re.search(r"([0-9]+)", spec)
    return found.group(1) if found else None


def _plain_argv(script: str) -> list[str] | None:
    """A script as argv when it is one plain command (no shell operators or variables)."""
    if not script or re.search(r"[|&;<>$`()]", script):
        return None
    try:
        return shlex.split(script)
    except ValueError:
        return None
