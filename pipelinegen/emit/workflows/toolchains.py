"""Per-stack CI steps for the build matrix: toolchain set-up, dependency cache, tests, coverage.

Each matrix leg carries its service's toolchain, version and test command (matrix.py), so
there is one step per stack, whatever the number of services.

Everything CI knows about a stack is its row in TOOLCHAINS. Coverage is line coverage as each
stack's standard tool counts it: coverage.py's statements (python), the lines of Node's built-in
test coverage, read from its lcov report (node), `go test -coverprofile` statements (go). Static
sites have no tests; a dockerfile service's test command runs as given, without a gate.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

from pipelinegen import toolchain
from pipelinegen.emit import stacks
from pipelinegen.emit.workflows.common import Step, action, step
from pipelinegen.inputs import Inputs

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


@dataclass(frozen=True)
class Toolchain:
    setup: str  # the set-up action
    version_input: str  # its version input
    cache_paths: str
    cache_key_files: str  # the files the cache key hashes
    install: str  # shell: installs a service's locked dependencies, if it has any
    coverage: Callable[[list[str]], str]  # the test command, run measuring coverage
    figure: str  # shell: prints the total line coverage in percent
    extra: dict[str, object] = field(default_factory=dict)  # more inputs of the set-up action


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


def setup_steps(inputs: Inputs) -> list[Step]:
    """One set-up and one cache step per stack the services use; the version is the leg's."""
    used = sorted({inputs.model.services[name].stack for name in inputs.model.services
                   if toolchain.version(inputs.model, name) is not None})
    steps: list[Step] = []
    for stack in used:
        chain = TOOLCHAINS[stack]
        condition = {"if": f"matrix.toolchain == '{stack}'"}
        steps.append(action(inputs, f"Set up {stack}", chain.setup,
                            {chain.version_input: "${{ matrix.version }}", **chain.extra},
                            **condition))
        steps.append(action(inputs, f"Cache {stack} dependencies", "actions/cache", {
            "path": chain.cache_paths,
            "key": f"{stack}-${{{{ matrix.version }}}}-${{{{ runner.os }}}}-"
                   f"${{{{ hashFiles({chain.cache_key_files}) }}}}",
            "restore-keys": f"{stack}-${{{{ matrix.version }}}}-${{{{ runner.os }}}}-",
        }, **condition))
    return steps


# Shell: PYTHONPATH from the leg's shared packages (a ':'-separated list of paths).
SHARED_ON_PYTHONPATH = """for shared in ${SHARED//:/ }; do
  PYTHONPATH="${PYTHONPATH:+${PYTHONPATH}:}${GITHUB_WORKSPACE}/${shared}"
done
export PYTHONPATH
"""


def test_script(stack: str | None) -> str:
    """The test step of a stack (None: a dockerfile service's own command, run as given): the
    leg's command (TEST, measuring coverage when MIN_COVERAGE is set), then the gate."""
    if stack is None:
        return 'eval "${TEST}"\n'
    chain = TOOLCHAINS[stack]
    shared = SHARED_ON_PYTHONPATH if stack == "python" else ""
    gate = COVERAGE_GATE.format(figure=chain.figure, name="${SERVICE}")
    return (chain.install + shared + 'eval "${TEST}"\n'
            + 'if [ -n "${MIN_COVERAGE}" ]; then\n'
            + "".join(f"  {line}\n" if line else "\n" for line in gate.splitlines())
            + "fi\n")


TEST_ENV = {"TEST": "${{ matrix.test }}", "MIN_COVERAGE": "${{ matrix.min_coverage }}"}


def test_steps(inputs: Inputs) -> list[Step]:
    """The leg's own test command, run from its directory, gated on its coverage: one step per
    stack with tests (and one for services that bring their own Dockerfile)."""
    services = inputs.model.services.values()
    tested = {service.stack for service in services if service.test}
    steps: list[Step] = []
    for stack in sorted(tested & set(TOOLCHAINS)):
        env = dict(TEST_ENV)
        if stack == "python":
            env["SHARED"] = "${{ matrix.shared }}"
        steps.append(step(f"Test ({stack})",
                          **{"if": f"matrix.toolchain == '{stack}' && matrix.test != ''"},
                          **{"working-directory": "${{ matrix.path }}"},
                          env=env, run=test_script(stack)))
    if tested - set(TOOLCHAINS):
        steps.append(step("Test (own command)",
                          **{"if": "matrix.toolchain == '' && matrix.test != ''"},
                          **{"working-directory": "${{ matrix.path }}"},
                          env={"TEST": TEST_ENV["TEST"]}, run=test_script(None)))
    return steps
