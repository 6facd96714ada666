"""Per-stack CI steps for the build matrix: toolchain set-up, dependency cache, tests.

The matrix runs over service names (what `pipelinegen affected` prints), so each step that
differs between services carries an `if:` naming the services it is for.
"""

from __future__ import annotations

import shlex
from itertools import groupby

from pipelinegen import toolchain
from pipelinegen.emit import stacks
from pipelinegen.emit.workflows.common import Step, action, step
from pipelinegen.inputs import Inputs

# (setup action, its version input, extra inputs, cache paths, files the cache key hashes)
TOOLCHAINS: dict[str, tuple[str, str, dict[str, object], str, str]] = {
    "python": ("actions/setup-python", "python-version", {}, "~/.cache/pip",
               "'**/requirements*.txt', '**/pyproject.toml'"),
    "node": ("actions/setup-node", "node-version", {}, "~/.npm", "'**/package-lock.json'"),
    "go": ("actions/setup-go", "go-version", {"cache": False}, "~/go/pkg/mod\n~/.cache/go-build\n",
           "'**/go.sum'"),
}
# Installs a service's locked dependencies, if it has any, before its tests; Python's with the
# image's hash policy (stacks.PIP_HASHES).
INSTALL = {
    "python": "if [ -f requirements.txt ]; then\n"
              f"  {stacks.PIP_HASHES}\n"
              f"  python -m pip install {stacks.PIP_HASH_FLAG} -r requirements.txt\nfi\n",
    "node": "if [ -f package-lock.json ]; then\n  npm ci\nfi\n",
    "go": "if [ -f go.mod ]; then\n  go mod download\nfi\n",
}


def for_services(names: list[str]) -> str:
    """An `if:` that holds in the matrix legs of these services."""
    return " || ".join(f"matrix.service == '{name}'" for name in names)


def _toolchain(inputs: Inputs, name: str) -> tuple[str, str] | None:
    version = toolchain.version(inputs.model, name)
    return None if version is None else (inputs.model.services[name].stack, version)


def setup_steps(inputs: Inputs) -> list[Step]:
    """One set-up and one cache step per (stack, version) the services use."""
    services = inputs.model.services
    keyed = sorted((chain, name) for name in services
                   if (chain := _toolchain(inputs, name)) is not None)
    steps: list[Step] = []
    for (stack, version), group in groupby(keyed, key=lambda item: item[0]):
        names = [name for _, name in group]
        uses_, version_input, extra, paths, key_files = TOOLCHAINS[stack]
        condition = for_services(names)
        steps.append(action(inputs, f"Set up {stack} {version}", uses_,
                            {version_input: version, **extra}, **{"if": condition}))
        steps.append(action(inputs, f"Cache {stack} {version} dependencies", "actions/cache", {
            "path": paths,
            "key": f"{stack}-{version}-${{{{ runner.os }}}}-${{{{ hashFiles({key_files}) }}}}",
            "restore-keys": f"{stack}-{version}-${{{{ runner.os }}}}-",
        }, **{"if": condition}))
    return steps


def test_steps(inputs: Inputs) -> list[Step]:
    """Each service's own test command, run from its directory."""
    steps: list[Step] = []
    for name, service in sorted(inputs.model.services.items()):
        if not service.test:
            continue
        fields: Step = {"if": for_services([name]), "working-directory": service.path}
        if service.stack == "python" and service.depends_on:
            # Shared packages are importable the way the image makes them importable.
            fields["env"] = {"PYTHONPATH": ":".join(
                f"${{{{ github.workspace }}}}/{path}" for path in service.depends_on)}
        install = INSTALL.get(service.stack, "")
        steps.append(step(f"Test {name}", **fields, run=install + shlex.join(service.test)))
    return steps
