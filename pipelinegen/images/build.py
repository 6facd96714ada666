"""`pipelinegen build` and `pipelinegen image-size`: build images with BuildKit and hold each to
its size budget.

Size is the uncompressed size of the image for the engine's platform, as `docker image inspect`
reports it (`Size`); budgets are the service's `image_size_budget`, else the project default.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelinegen import stacks
from pipelinegen.adapters import engine, proc
from pipelinegen.core import layout
from pipelinegen.core.errors import FindingsError, PipelinegenError
from pipelinegen.core.model import Model
from pipelinegen.images import smoke


@dataclass(frozen=True)
class Measured:
    image: str
    size: int
    budget: int

    @property
    def headroom(self) -> int:
        return self.budget - self.size


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def table(rows: Sequence[Measured]) -> str:
    header = ("IMAGE", "SIZE", "BUDGET", "HEADROOM")
    cells = [header] + [(r.image, megabytes(r.size), megabytes(r.budget), megabytes(r.headroom))
                        for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
             for row in cells]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def enforce(rows: Sequence[Measured]) -> None:
    """FindingsError (exit 1) naming every image over its budget and by how much."""
    over = [r for r in rows if r.size > r.budget]
    if over:
        raise FindingsError(
            "; ".join(f"{r.image} is {megabytes(r.size)} ({r.size} bytes), over its budget of"
                      f" {megabytes(r.budget)} by {megabytes(-r.headroom)}" for r in over),
            "make the image smaller, or raise image_size_budget in services.yaml",
        )


def selected(model: Model, names: Sequence[str]) -> list[str]:
    unknown = [name for name in names if name not in model.services]
    if unknown:
        raise PipelinegenError(f"no service named {', '.join(unknown)}",
                               f"services: {', '.join(sorted(model.services))}")
    return list(names) or sorted(model.services)


def build(model: Model, root: Path, names: Sequence[str], tag: str, build_args: dict[str, str],
          echo: Callable[[str], None], *, smoke_test: bool = True) -> list[Measured]:
    """Build each selected service's image as <image>:<tag>, smoke-test it (smoke.py) and
    measure it against its budget."""
    client = engine.client()
    cli = engine.docker_cli()
    rows = []
    for name in selected(model, names):
        ref = f"{model.image(name)}:{tag}"
        spec = layout.image_source(model, name)
        dockerfile, context = spec.dockerfile, spec.context
        check_inputs(model, root, name)
        argv = [cli, "build", "--progress=plain", "-f", str(root / dockerfile), "-t", ref,
                *(f"--build-arg={key}={value}" for key, value in sorted(build_args.items())),
                str(root / context)]
        echo(f"==> building {ref} from {dockerfile}")
        proc.run(argv, env={"DOCKER_BUILDKIT": "1"}, echo=echo,
                 what=f"building {ref} failed",
                 hint=f"fix {dockerfile} or the sources it copies (the build output is above)")
        if smoke_test:
            seconds = smoke.run(client, model, name, ref)
            echo(f"==> smoke test of {ref}: healthy after {seconds:.1f} s")
        rows.append(measure(model, client, name, ref))
    return rows


def check_inputs(model: Model, root: Path, name: str) -> None:
    """Fail before BuildKit does, naming the missing Dockerfile or file the stack copies."""
    spec = layout.image_source(model, name)
    if not (root / spec.dockerfile).is_file():
        raise PipelinegenError(
            f"services.{name}: its Dockerfile {spec.dockerfile} does not exist",
            "run `pipelinegen generate` first" if spec.generated else
            f"add it, or point `dockerfile:` of {name} in the services file at it")
    missing = stacks.missing_files(root, model.services[name])
    if missing:
        stack = model.services[name].stack
        raise PipelinegenError(
            f"services.{name}: stack {stack} copies "
            f"{', '.join(m.path for m in missing)}, which does not exist",
            "; ".join(m.hint for m in missing))
    wrong = stacks.runtime_file_problems(root, model.services[name])
    if wrong:
        raise PipelinegenError(f"services.{name}: {'; '.join(text for _, text in wrong)}",
                               "create it, or correct runtime.files in the services file")


def measure(model: Model, client: Any, service: str, ref: str) -> Measured:
    return Measured(ref, engine.image_size(client, ref), model.size_budget(service))


def image_size(model: Model, service: str, ref: str) -> Measured:
    selected(model, [service])
    return measure(model, engine.client(), service, ref)
