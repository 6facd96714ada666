"""The build matrix of ci.yml: one entry per affected service, in chunks of at most 256.

What differs between services (directory, toolchain and version, test command, coverage
minimum, Dockerfile, context, version label) travels in the matrix entry, so the build job has
one step per stack rather than one `if:` step per service, and ci.yml stays the same size
whatever the number of services. `pipelinegen affected --format matrix` writes the entries of a
change as the `changes` job's outputs `chunk-1` ... `chunk-N`; GitHub runs at most 256 jobs per
matrix, so a model of more than 256 services has N build (and publish) jobs, one per chunk.
"""

from __future__ import annotations

import json
import shlex

from pipelinegen import stacks
from pipelinegen.core import layout, toolchain
from pipelinegen.core.model import Model

CHUNK = 256  # GitHub's limit of jobs per matrix


def chunk_count(model: Model) -> int:
    """How many build jobs ci.yml has: enough chunks for every service of the model."""
    return max(1, -(-len(model.services) // CHUNK))


def chunk_output(index: int) -> str:
    """The `changes` job's output holding chunk `index` (1-based)."""
    return f"chunk-{index}"


def entry(model: Model, name: str) -> dict[str, str]:
    """One service's matrix entry; every value is a string (empty when it does not apply)."""
    service = model.services[name]
    spec = layout.image_source(model, name)
    chain = stacks.get(service.stack).toolchain
    # No gate without a test, or for a stack CI cannot measure (no toolchain, or no coverage).
    gated = chain is not None and chain.measures_coverage and bool(service.test)
    minimum = model.coverage_minimum(name) if gated else 0
    if not service.test:
        test = ""
    elif chain is not None and chain.coverage is not None and minimum:
        test = chain.coverage(list(service.test))
    else:
        test = shlex.join(service.test)
    return {
        "service": name,
        "path": service.path,
        "toolchain": service.stack if chain is not None else "",
        "version": toolchain.version(model, name) or "",
        "test": test,
        "min_coverage": f"{minimum:g}" if minimum else "",
        # Shared packages, importable in the tests the way the image makes them importable.
        "shared": ":".join(service.depends_on)
        if chain is not None and chain.shared_path_variable else "",
        "dockerfile": spec.dockerfile,
        "context": spec.context,
        "app_version": service.app_version,
    }


def chunks(model: Model, names: list[str]) -> list[list[dict[str, str]]]:
    """The entries of these services, split into exactly chunk_count(model) chunks."""
    entries = [entry(model, name) for name in sorted(names)]
    return [entries[i * CHUNK:(i + 1) * CHUNK] for i in range(chunk_count(model))]


def github_output(model: Model, names: list[str]) -> str:
    """`chunk-N=<JSON list>` lines, for $GITHUB_OUTPUT; an empty chunk is `[]`."""
    return "".join(f"{chunk_output(i)}={json.dumps(part, separators=(',', ':'))}\n"
                   for i, part in enumerate(chunks(model, names), 1))
