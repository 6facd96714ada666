"""Per-stack CI steps for the build matrix: toolchain set-up, dependency cache, tests, coverage.

Each matrix leg carries its service's toolchain, version and test command (matrix.py), so
there is one step per stack, whatever the number of services.

Everything CI knows about a stack is its toolchain (stacks.Toolchain, in the stack's module).
Coverage is line coverage as each stack's standard tool counts it (coverage.py's statements,
the lines of Node's built-in test coverage, `go test -coverprofile` statements). A stack without
a toolchain (static, dockerfile) runs its test command as given, without a gate.
"""

from __future__ import annotations

from pipelinegen import stacks
from pipelinegen.core import toolchain
from pipelinegen.core.inputs import Inputs
from pipelinegen.emit.workflows.common import Step, action, step

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
        chain = stacks.get(stack).toolchain
        assert chain is not None  # toolchain.version is None without one
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


# Shell: the stack's path variable (PYTHONPATH) from the leg's shared packages (SHARED, a
# ':'-separated list of paths), so they are importable the way the image makes them importable.
SHARED_ON_PATH = """\
for shared in ${{SHARED//:/ }}; do
  {var}="${{{var}:+${{{var}}}:}}${{GITHUB_WORKSPACE}}/${{shared}}"
done
export {var}
"""


def test_script(stack: str | None) -> str:
    """The test step of a stack: the leg's command (TEST, measuring coverage when MIN_COVERAGE
    is set), then the gate; None (stacks without a toolchain): the command as given."""
    chain = None if stack is None else stacks.get(stack).toolchain
    if chain is None:
        return 'eval "${TEST}"\n'
    variable = chain.shared_path_variable
    shared = SHARED_ON_PATH.format(var=variable) if variable else ""
    if chain.figure is None:  # no coverage tool for the stack (java, rust, dotnet): no gate
        return chain.install + shared + 'eval "${TEST}"\n'
    gate = COVERAGE_GATE.format(figure=chain.figure, name="${SERVICE}")
    return (chain.install + shared + 'eval "${TEST}"\n'
            + 'if [ -n "${MIN_COVERAGE}" ]; then\n'
            + "".join(f"  {line}\n" if line else "\n" for line in gate.splitlines())
            + "fi\n")


TEST_ENV = {"TEST": "${{ matrix.test }}", "MIN_COVERAGE": "${{ matrix.min_coverage }}"}


def test_steps(inputs: Inputs) -> list[Step]:
    """The leg's own test command, run from its directory, gated on its coverage: one step per
    stack with a toolchain and tests (and one for the others' commands, run as given)."""
    tested = {service.stack for service in inputs.model.services.values() if service.test}
    chained = {stack for stack in tested if stacks.get(stack).toolchain is not None}
    steps: list[Step] = []
    for stack in sorted(chained):
        chain = stacks.get(stack).toolchain
        assert chain is not None
        env = dict(TEST_ENV)
        if chain.shared_path_variable:
            env["SHARED"] = "${{ matrix.shared }}"
        steps.append(step(f"Test ({stack})",
                          **{"if": f"matrix.toolchain == '{stack}' && matrix.test != ''"},
                          **{"working-directory": "${{ matrix.path }}"},
                          env=env, run=test_script(stack)))
    if tested - chained:
        steps.append(step("Test (own command)",
                          **{"if": "matrix.toolchain == '' && matrix.test != ''"},
                          **{"working-directory": "${{ matrix.path }}"},
                          env={"TEST": TEST_ENV["TEST"]}, run=test_script(None)))
    return steps
