"""Rule service-files: every service directory holds what its stack's Dockerfile copies."""

from __future__ import annotations

from collections.abc import Iterator

from pipelinegen import stacks
from pipelinegen.core.errors import Problem
from pipelinegen.core.model import Service
from pipelinegen.validate.registry import Context, rule

RULE = "service-files"


@rule(RULE)
def service_files(context: Context) -> Iterator[Problem]:
    """Each service's path, depends_on paths and stack files exist, so its build cannot fail
    for a missing file.

    Passes:  stack python, path services/api holding requirements.txt (it may list nothing)
    Fails:   stack node, path services/web without package-lock.json (npm ci needs it)
             depends_on: [packages/shared] where packages/shared does not exist
             runtime: {files: [templates/]} where templates/ is missing or a link out of path
             build_tool: gradle where the directory holds a pom.xml but no build.gradle(.kts)
    """
    source = context.inputs.source
    for name, service in context.model.services.items():
        for key, missing in _missing(context, service):
            line, col = context.positions.of(("services", name, *key))
            yield Problem(source, line, col, RULE, f"services.{name}: {missing}",
                          "create it, or correct the path in the services file")


def _missing(context: Context, service: Service) -> Iterator[tuple[tuple[str | int, ...], str]]:
    root = context.root
    if not (root / service.path).is_dir():
        yield ("path",), f"the service directory {service.path}/ does not exist"
        return
    # A named build tool asks for its own build file; else the stack asks for any of them.
    needs = (("build_tool",), f"build_tool {service.build_tool}") if service.build_tool \
        else (("stack",), f"stack {service.stack}")
    for missing in stacks.missing_files(root, service):
        yield needs[0], f"{needs[1]} needs {missing.path}, which does not exist"
    if service.dockerfile is not None and not (root / service.dockerfile).is_file():
        yield ("dockerfile",), f"its Dockerfile {service.dockerfile} does not exist"
    for index, path in enumerate(service.depends_on):
        if not (root / path).exists():
            yield ("depends_on", index), f"the shared path {path} does not exist"
    for index, problem in stacks.runtime_file_problems(root, service):
        yield ("runtime", "files", index), problem
