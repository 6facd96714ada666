"""The toolchain version of each service, one value for CI and the image.

A service's `version` is what CI sets up to run its tests; its bases' tags say what the image
builds and runs with (`python:3.12-slim-bookworm` is 3.12). When `version` is not given, CI
takes it from the base tag, so the tests run on the interpreter the image runs; when both are
given they must agree (rule `toolchain-version`).
"""

from __future__ import annotations

import re

from pipelinegen import stacks
from pipelinegen.core.model import Model

_TAG_VERSION = re.compile(r"^([0-9]+(?:\.[0-9]+)*)(?:$|[-_])")


def tag_version(ref: str) -> str | None:
    """The leading version of an image reference's tag: python:3.12-slim@sha256:... -> 3.12."""
    name = ref.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" not in last:
        return None
    match = _TAG_VERSION.match(last.split(":", 1)[1])
    return match.group(1) if match else None


def base_versions(model: Model, service: str) -> dict[str, str]:
    """{base name: version} of the service's bases that carry its toolchain (runtime first)."""
    svc = model.services[service]
    chain = stacks.get(svc.stack).toolchain
    prefixes = chain.images if chain else ()
    builder, runtime = svc.base_names()
    found: dict[str, str] = {}
    for base in (runtime, builder):
        if base is None or base not in model.bases or base in found:
            continue
        image = model.bases[base].split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
        version = tag_version(model.bases[base])
        if version and image.startswith(prefixes):
            found[base] = version
    return found


def version(model: Model, service: str) -> str | None:
    """The toolchain version CI sets up; None for stacks without one (static, dockerfile)."""
    svc = model.services[service]
    chain = stacks.get(svc.stack).toolchain
    if chain is None:
        return None
    derived = base_versions(model, service)
    return svc.version or next(iter(derived.values()), chain.default_version)


def agree(wanted: str, tagged: str) -> bool:
    """3.12 agrees with 3.12 and 3.12.5 (and 3.12.5 with 3.12); 3.12 does not with 3.11."""
    a, b = wanted.split("."), tagged.split(".")
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


def disagreements(model: Model, service: str) -> dict[str, str]:
    """{base name: its version} of bases whose tag disagrees with the service's `version`."""
    wanted = model.services[service].version
    if wanted is None:
        return {}
    return {base: found for base, found in base_versions(model, service).items()
            if not agree(wanted, found)}
