"""The python stack: pip installs the locked requirements into /opt/deps in the build stage;
the runtime stage runs the sources from /app with them on PYTHONPATH."""

from __future__ import annotations

import re
import shlex

from pipelinegen.stacks.base import NeededFile, Service, Stack, Stages, Toolchain
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
)
