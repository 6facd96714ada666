"""Per-stack CI steps for the build matrix: toolchain set-up, dependency cache, tests, coverage.

The matrix runs over service names (what `pipelinegen affected` prints), so each step that
differs between services carries an `if:` naming the services it is for.

Everything CI knows about a stack is its row in TOOLCHAINS. Coverage is line coverage as each
stack's standard tool counts it: coverage.py's statements (python), the lines of Node's built-in
test coverage, read from its lcov report (node), `go test -coverprofile` statements (go). Static
sites have no tests; a dockerfile service's test command runs as given, without a gate.
"""

from __future__ import annotations

import re
import shlex
from itertools import groupby

from pipelinegen import toolchain
from pipelinegen.emit import stacks
from pipelinegen.emit.workflows.common import Step, action, step
from pipelinegen.inputs import Inputs
from pipelinegen.stacks import dotnet, java, rust
from pipelinegen.stacks.ci import Toolchain

# coverage.py, installed by the python test step when a gate applies (an exact version, like
# pipelinegen itself).
COVERAGE_PY = "coverage==7.17.5"


def _python_coverage(test: list[str]) -> str:
    # `python ARGS` runs as `python -m coverage run ARGS`; a console script (pytest) as its module.
    rest = test[1:] if re.fullmatch(r"python[0-9.]*", test[0]) else ["-m", *test]
    return (f'python -m pip install "{COVERAGE_PY}"\n'
            'export COVERAGE_FILE="${RUNNER_TEMP}/coverage.data"\n'
            + shlex.join(["python", "-m", "coverage", "run", "--source=.", *rest]) + "\n")


def _node_coverage(test: list[str]) -> str:
    # Node's own coverage (20+); the lcov reporter beside the usual one gives a figure to read.
    flags = ["--experimental-test-coverage", "--test-reporter=spec",
             "--test-reporter-destination=stdout", "--test-reporter=lcov"]
    return (shlex.join(["node", *flags]) + ' --test-reporter-destination="${RUNNER_TEMP}/lcov.info"'
            + (" " + shlex.join(test[1:]) if test[1:] else "") + "\n")


def _go_coverage(test: list[str]) -> str:
    return ('go test -coverprofile="${RUNNER_TEMP}/coverage.out"'
            + (" " + shlex.join(test[2:]) if test[2:] else "") + "\n")


TOOLCHAINS: dict[str, Toolchain] = {
    "python": Toolchain(
        "actions/setup-python", "python-version", "~/.cache/pip",
        "'**/requirements*.txt', '**/pyproject.toml'",
        # The image's hash policy (stacks.PIP_HASHES): hashes when the file has them.
        "if [ -f requirements.txt ]; then\n"
        f"  {stacks.PIP_HASHES}\n"
        f"  python -m pip install {stacks.PIP_HASH_FLAG} -r requirements.txt\nfi\n",
        _python_coverage, "python -m coverage report --format=total --precision=1"),
    "node": Toolchain(
        "actions/setup-node", "node-version", "~/.npm", "'**/package-lock.json'",
        "if [ -f package-lock.json ]; then\n  npm ci\nfi\n",
        _node_coverage,
        "awk -F: '/^LF:/ { found += $2 } /^LH:/ { hit += $2 }"
        " END { if (found) printf \"%.1f\\n\", 100 * hit / found }' \"${RUNNER_TEMP}/lcov.info\""),
    "go": Toolchain(
        "actions/setup-go", "go-version", "~/go/pkg/mod\n~/.cache/go-build\n", "'**/go.sum'",
        "if [ -f go.mod ]; then\n  go mod download\nfi\n",
        _go_coverage,
        "go tool cover -func=\"${RUNNER_TEMP}/coverage.out\""
        " | awk '$1 == \"total:\" { sub(/%$/, \"\", $NF); print $NF }'",
        extra={"cache": False}),
    "java": java.TOOLCHAIN,
    "rust": rust.TOOLCHAIN,
    "dotnet": dotnet.TOOLCHAIN,
}


# Shell: fails below MIN_COVERAGE; the figure goes to the job summary either way.
COVERAGE_GATE = """\
covered="$({figure})"
if [ -z "${{covered}}" ]; then
  echo "::error::no line coverage figure: did the tests run?"
  exit 1
fi
if awk -v covered="${{covered}}" -v minimum="${{MIN_COVERAGE}}" \\
    'BEGIN {{ exit !(covered + 0 >= minimum + 0) }}'; then
  verdict=passed
else
  verdict=failed
fi
echo "Line coverage of {name}: ${{covered}}% (minimum ${{MIN_COVERAGE}}%): ${{verdict}}" \\
  >> "${{GITHUB_STEP_SUMMARY}}"
if [ "${{verdict}}" = failed ]; then
  echo "::error::line coverage ${{covered}}% is below the minimum of ${{MIN_COVERAGE}}%"
  exit 1
fi
echo "Line coverage ${{covered}}% meets the minimum of ${{MIN_COVERAGE}}%"
"""


def for_services(names: list[str]) -> str:
    """An `if:` that holds in the matrix legs of these services."""
    return " || ".join(f"matrix.service == '{name}'" for name in names)


def _toolchain(inputs: Inputs, name: str) -> tuple[str, str] | None:
    version = toolchain.version(inputs.model, name)
    return None if version is None else (inputs.model.services[name].stack, version)


def setup_steps(inputs: Inputs) -> list[Step]:
    """One set-up and one cache step per (stack, version) the services use."""
    services = inputs.model.services
    keyed = sorted((key, name) for name in services
                   if (key := _toolchain(inputs, name)) is not None)
    steps: list[Step] = []
    for (stack, version), group in groupby(keyed, key=lambda item: item[0]):
        names = [name for _, name in group]
        chain = TOOLCHAINS[stack]
        condition = for_services(names)
        steps.append(action(inputs, f"Set up {stack} {version}", chain.setup,
                            {chain.version_input: version, **chain.extra}, **{"if": condition}))
        steps.append(action(inputs, f"Cache {stack} {version} dependencies", "actions/cache", {
            "path": chain.cache_paths,
            "key": f"{stack}-{version}-${{{{ runner.os }}}}-"
                   f"${{{{ hashFiles({chain.cache_key_files}) }}}}",
            "restore-keys": f"{stack}-{version}-${{{{ runner.os }}}}-",
        }, **{"if": condition}))
    return steps


def test_script(inputs: Inputs, name: str) -> tuple[str, dict[str, str]]:
    """A service's test step: install, run the tests (measuring coverage), gate; and its env."""
    service = inputs.model.services[name]
    chain = TOOLCHAINS.get(service.stack)
    if chain is None:
        return shlex.join(service.test), {}
    minimum = inputs.model.coverage_minimum(name)
    if not minimum or chain.coverage is None or chain.figure is None:
        return chain.install + shlex.join(service.test), {}
    gate = COVERAGE_GATE.format(figure=chain.figure, name=name)
    return chain.install + chain.coverage(service.test) + gate, {"MIN_COVERAGE": f"{minimum:g}"}


def test_steps(inputs: Inputs) -> list[Step]:
    """Each service's own test command, run from its directory, gated on its coverage."""
    steps: list[Step] = []
    for name, service in sorted(inputs.model.services.items()):
        if not service.test:
            continue
        run, env = test_script(inputs, name)
        if service.stack == "python" and service.depends_on:
            # Shared packages are importable the way the image makes them importable.
            env["PYTHONPATH"] = ":".join(
                f"${{{{ github.workspace }}}}/{path}" for path in service.depends_on)
        fields: Step = {"if": for_services([name]), "working-directory": service.path}
        if env:
            fields["env"] = dict(sorted(env.items()))
        steps.append(step(f"Test {name}", **fields, run=run))
    return steps
