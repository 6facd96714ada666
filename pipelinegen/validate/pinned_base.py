"""Rule pinned-base: every FROM of every Dockerfile is pinned by digest."""

from __future__ import annotations

from collections.abc import Iterator

from pipelinegen.core import imageref
from pipelinegen.core.errors import Problem
from pipelinegen.validate import dockerparse
from pipelinegen.validate.registry import Context, rule

RULE = "pinned-base"


@rule(RULE)
def pinned_base(context: Context) -> Iterator[Problem]:
    """Every FROM, after ARG substitution, is image@sha256:<64 hex>; scratch and stages pass.

    Checks every Dockerfile in the repository (Dockerfile, Dockerfile.*, *.Dockerfile), generated
    or hand-written, and the generated ones as the model produces them.

    Passes:  FROM python:3.12-slim@sha256:<64 hex> AS build
             FROM build
             FROM scratch
    The images of backing services (their charts run them) must be pinned in `bases` too.

    Fails:   FROM python:3.12          (a tag moves: the build is not reproducible)
             FROM node:latest
             ARG BASE=python:3.12
             FROM ${BASE}
    """
    on_disk = dockerparse.find(context.root)
    planned = {path: data for path, data in context.plan.outputs.items()
               if dockerparse.is_dockerfile(path.rsplit("/", 1)[-1])}
    for path in sorted({*on_disk, *planned}):
        file = context.root / path
        text = (file.read_text(encoding="utf-8", errors="replace") if file.is_file()
                else planned[path].decode())
        yield from _check(path, text)
    model = context.model
    for name in sorted({backing.image for backing in model.backing.values()}):
        image = model.bases.get(name)
        if image is not None and not imageref.pinned(image):
            line, col = context.positions.of(("bases", name))
            yield Problem(context.inputs.source, line, col, RULE,
                          f"bases.{name}: {image} runs as a backing service but is not pinned"
                          " by digest", "run `pipelinegen pin` to add its digest")


def _check(path: str, text: str) -> Iterator[Problem]:
    stages: set[str] = set()
    for found in dockerparse.froms(text):
        image = found.image
        if found.unresolved is not None:
            yield Problem(path, found.line, found.col, RULE,
                          f"FROM {found.written}: ${found.unresolved} has no default value, so"
                          " the base cannot be checked",
                          f"give it a pinned default: ARG {found.unresolved}=<image>@sha256:...")
        elif image is not None and not (image == "scratch" or image.lower() in stages
                                        or imageref.pinned(image)):
            tag = imageref.parse(image).tag
            why = ("'latest' moves with every release" if tag in (None, "latest")
                   else f"the tag {tag!r} can be moved to other content")
            yield Problem(path, found.line, found.col, RULE,
                          f"FROM {image} is not pinned by digest ({why})",
                          f"write {image.split('@')[0]}@sha256:<digest>; `docker buildx imagetools"
                          " inspect` shows it, and `pipelinegen pin` refreshes the bases of"
                          " services.yaml")
        if found.stage:
            stages.add(found.stage)
