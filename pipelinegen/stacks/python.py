"""The python stack: pip installs the locked requirements into /opt/deps in the build stage;
the runtime stage runs the sources from /app with them on PYTHONPATH."""

from __future__ import annotations

import re
import shlex

from pipelinegen.stacks import detection
from pipelinegen.stacks.base import NeededFile, Service, Stack, Stages, Toolchain
from pipelinegen.stacks.detection import Detector, Files, Guess, Project
from pipelinegen.stacks.instructions import copy_depends_on, run

# One hash policy for Python requirements, in the image and in CI's test step: pip's
# --require-hashes exactly when the file pins hashes (then every requirement must have one).
PIP_HASHES = ('if grep -q -e "--hash=" requirements.txt; then hashes="--require-hashes";'
              ' else hashes=""; fi')
PIP_HASH_FLAG = '${hashes:+"${hashes}"}'
# coverage.py, installed by the python test step when a gate applies (an exact version, like
# pipelinegen itself).
COVERAGE_PY = "coverage==7.17.5"


def stages(name: str, service: Service, url: str) -> Stages:
    workdir = f"/app/{service.path}"
    # Elsewhere than in its own directory, `python -m <service>` finds the code on the path.
    own = [workdir] if service.runtime.workdir not in (None, workdir) else []
    pythonpath = ":".join(["/opt/deps", *own, *(f"/app/{path}" for path in service.depends_on)])
    return Stages(
        build=[
            f"WORKDIR {workdir}",
            f"COPY {service.path}/requirements.txt ./",
            run("--mount=type=cache,target=/root/.cache/pip mkdir -p /opt/deps",
                f"&& {PIP_HASHES}",
                f"&& python -m pip install {PIP_HASH_FLAG} --disable-pip-version-check",
                "--root-user-action=ignore --no-compile --target /opt/deps"
                " --requirement requirements.txt"),
        ],
        runtime=[
            "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \\\n"
            f"    PYTHONPATH={pythonpath}",
            "COPY --from=build /opt/deps /opt/deps",
            *copy_depends_on(service, "/app"),
            f"COPY {service.path}/ {workdir}/",
        ],
        health=["python", "-c", "import sys, urllib.request; "
                "sys.exit(urllib.request.urlopen(sys.argv[1], timeout=4).status != 200)", url],
        command=["python", "-m", name.replace("-", "_")],
        code_dir=workdir,
    )


def coverage(test: list[str]) -> str:
    """coverage.py's statements: `python ARGS` runs as `python -m coverage run ARGS`, a console
    script (pytest) as its module."""
    rest = test[1:] if re.fullmatch(r"python[0-9.]*", test[0]) else ["-m", *test]
    return (f'python -m pip install "{COVERAGE_PY}"\n'
            'export COVERAGE_FILE="${RUNNER_TEMP}/coverage.data"\n'
            + shlex.join(["python", "-m", "coverage", "run", "--source=.", *rest]) + "\n")



# --- pipelinegen init: a project's manifests -------------------------------------------------


IMPORT = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)


def detect(tree: Files, project: Project) -> None:
    here = detection.join(project.path)
    data = detection.toml(tree.read(f"{here}pyproject.toml"))
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
    project.local = {detection.relative(project.path, dep) for dep in _path_requirements(declared)}
    project.workspace = "workspace" in data.get("tool", {}).get("uv", {})
    if (spec := meta.get("requires-python")) and (version := detection.major_minor(str(spec))):
        project.version = Guess(version, f"requires-python {spec!r} in pyproject.toml")
    elif ((pinned := tree.read(f"{here}.python-version"))
          and (version := detection.major_minor(pinned))):
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
        folder = detection.parent(tests[0])[len(here):] or "."
        project.test = Guess(["python", "-m", "unittest", "discover", "-s", folder],
                             f"unittest files in {detection.parent(tests[0]) or '.'}/"
                             " (no pytest declared)")


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


STACK = Stack(
    name="python",
    bases=("python", "python"),
    stages=stages,
    files=(NeededFile("requirements.txt", "create it (it may list nothing, or pin with hashes:"
                                          " `pip-compile --generate-hashes`)"),),
    toolchain=Toolchain(
        setup="actions/setup-python", version_input="python-version", default_version="3.12",
        images=("python",), cache_paths="~/.cache/pip",
        cache_key_files="'**/requirements*.txt', '**/pyproject.toml'",
        # The image's hash policy (PIP_HASHES): hashes when the file has them.
        install="if [ -f requirements.txt ]; then\n"
                f"  {PIP_HASHES}\n"
                f"  python -m pip install {PIP_HASH_FLAG} -r requirements.txt\nfi\n",
        test_prefix=(), coverage=coverage,
        figure="python -m coverage report --format=total --precision=1",
        shared_path_variable="PYTHONPATH"),
    base_images={"python": "python:{version}-slim-bookworm"},
    codeql="python",
    dependabot="pip",
    port=8000,
    detector=Detector(("pyproject.toml", "requirements.txt", "setup.py", "setup.cfg"),
                      detect, rank=2, code=(".py",), tests=("_test.py",), grpc=("grpcio",),
                      package="__init__.py", imports=IMPORT),
)
