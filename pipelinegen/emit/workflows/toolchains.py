"""Per-stack CI steps for the build matrix: toolchain set-up, dependency cache, tests, coverage.

The matrix runs over service names (what `pipelinegen affected` prints), so each step that
differs between services carries an `if:` naming the services it is for.

Everything CI knows about a stack is its toolchain (stacks.Toolchain, in the stack's module).
Coverage is line coverage as each stack's standard tool counts it (coverage.py's statements,
the lines of Node's built-in test coverage, `go test -coverprofile` statements). A stack without
a toolchain (static, dockerfile) runs its test command as given, without a gate.
"""

from __future__ import annotations

import shlex
from itertools import groupby

from pipelinegen import stacks, toolchain
from pipelinegen.emit.workflows.common import Step, action, step
from pipelinegen.inputs import Inputs

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
        chain = stacks.get(stack).toolchain
        assert chain is not None  # toolchain.version is None without one
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
    chain = stacks.get(service.stack).toolchain
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
        chain = stacks.get(service.stack).toolchain
        if chain is not None and chain.shared_path_variable and service.depends_on:
            # Shared packages are importable the way the image makes them importable.
            env[chain.shared_path_variable] = ":".join(
                f"${{{{ github.workspace }}}}/{path}" for path in service.depends_on)
        fields: Step = {"if": for_services([name]), "working-directory": service.path}
        if env:
            fields["env"] = dict(sorted(env.items()))
        steps.append(step(f"Test {name}", **fields, run=run))
    return steps
