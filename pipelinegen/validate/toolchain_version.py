"""Rule toolchain-version: CI's toolchain and the image's agree."""

from __future__ import annotations

from collections.abc import Iterator

from pipelinegen.core import toolchain
from pipelinegen.core.errors import Problem
from pipelinegen.validate.registry import Context, rule

RULE = "toolchain-version"


@rule(RULE)
def toolchain_version(context: Context) -> Iterator[Problem]:
    """A service's `version` (what CI tests on) agrees with the version its bases' tags name
    (what the image runs).

    Passes:  version "3.12" with base python: python:3.12-slim-bookworm@sha256:...
             no version (CI takes 3.12 from the base tag)
    Fails:   version "3.12" with base python: python:3.11-slim-bookworm@sha256:...
    """
    model = context.model
    for name in sorted(model.services):
        for base, found in toolchain.disagreements(model, name).items():
            line, col = context.positions.of(("services", name, "version"))
            wanted = model.services[name].version
            yield Problem(context.inputs.source, line, col, RULE,
                          f"services.{name}: version {wanted} (CI) disagrees with base {base}"
                          f" ({model.bases[base].split('@', 1)[0]}), which is {found}",
                          f"set version to \"{found}\", or remove it (CI then follows the"
                          " base), or change the base")
