"""Budgets that fail the build, dependency layers reused after a source change, SBOMs by syft."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest

from tests.support import demo
from tests.support.demo import Built


def test_a_tiny_budget_fails_the_build_naming_image_size_and_budget(
        built: Built, tmp_path: Path, base_refs: dict[str, str], registry: str) -> None:
    repo = demo.make_repo(tmp_path / "repo", base_refs, registry, budgets={"docs": "1MB"})
    done = demo.run_pipelinegen(repo, "build", "docs", "--tag", "tiny")
    assert done.returncode == 1, done.stdout + done.stderr
    image = f"{registry}/docs:tiny"
    message = re.search(rf"error: {re.escape(image)} is ([0-9.]+) MB \(([0-9]+) bytes\), over"
                        r" its budget of 1\.0 MB by ([0-9.]+) MB", done.stderr)
    assert message, done.stderr
    size_mb, size, over = float(message.group(1)), int(message.group(2)), float(message.group(3))
    assert size > 1_000_000 and over == pytest.approx(size_mb - 1.0, abs=0.11)
    assert "Traceback" not in done.stderr
    # The table still shows the negative headroom.
    assert re.search(rf"{re.escape(image)} +[0-9.]+ MB +1\.0 MB +-[0-9.]+ MB", done.stdout)


def test_image_size_checks_an_image_built_elsewhere(built: Built) -> None:
    ok = demo.run_pipelinegen(built.root, "image-size", "--service", "renderer", "--image",
                              built.images["renderer"])
    assert ok.returncode == 0, ok.stderr
    assert built.images["renderer"] in ok.stdout and "50.0 MB" in ok.stdout
    # The docs image measured against the renderer-sized budget of another model: over it.
    (built.root / "tiny.yaml").write_text(
        (built.root / "services.yaml").read_text().replace("image_size_budget: 30MB",
                                                            "image_size_budget: 100kB"))
    over = demo.run_pipelinegen(built.root, "image-size", "--file", "tiny.yaml", "--service",
                                "docs", "--image", built.images["docs"])
    assert over.returncode == 1
    assert f"error: {built.images['docs']} is" in over.stderr
    assert "over its budget of 0.1 MB" in over.stderr


# The dependency step of each stack, as BuildKit titles it, and the source copy after it.
DEPENDENCY_STEP = {
    "api": ("pip install", "COPY services/api/ /app/services/api/", "services/api/api/app.py"),
    "web": ("npm ci", "COPY services/web/ /app/services/web/", "services/web/app.js"),
    "renderer": ("go mod download", "COPY services/renderer/ ./", "services/renderer/main.go"),
    "imposer": ("cargo build --release --locked", "COPY services/imposer/ ./",
                "services/imposer/src/main.rs"),
}


@pytest.mark.parametrize("service", sorted(DEPENDENCY_STEP))
def test_a_source_only_change_reuses_the_dependency_layer(
        built: Built, tmp_path: Path, base_refs: dict[str, str], registry: str,
        service: str) -> None:
    repo = demo.make_repo(tmp_path / "repo", base_refs, registry)
    dependency, source_copy, source = DEPENDENCY_STEP[service]
    first = demo.run_pipelinegen(repo, "build", service, "--tag", "cache", check=True)
    # A change never built before (BuildKit's cache is keyed by content, across runs).
    comment = "#" if source.endswith(".py") else "//"  # Rust's too
    with (repo / source).open("a") as handle:
        handle.write(f"\n{comment} changed {uuid.uuid4()}\n")
    second = demo.run_pipelinegen(repo, "build", service, "--tag", "cache", check=True)
    states = demo.steps(second.stdout)
    dependency_steps = {title: state for title, state in states.items() if dependency in title}
    assert dependency_steps and set(dependency_steps.values()) == {"CACHED"}, states
    copied = [state for title, state in states.items() if title.endswith(source_copy)]
    assert copied == ["DONE"], states  # the change itself was seen and copied again
    assert "IMAGE" in first.stdout


def test_syft_writes_a_cyclonedx_sbom_listing_the_image_packages(
        built: Built, tmp_path: Path) -> None:
    output = tmp_path / "sbom" / "api.cdx.json"
    done = demo.run_pipelinegen(built.root, "sbom", "api", "--tag", "test", "--output",
                                str(output), check=True)
    assert built.images["api"] in done.stdout
    document = json.loads(output.read_text())
    assert document["bomFormat"] == "CycloneDX"
    names = {component["name"] for component in document["components"]}
    # Debian packages of the base, found by syft in the image's dpkg database.
    assert {"python3", "libc6", "python3.11-minimal"} <= names, sorted(names)[:50]
    assert document["metadata"]["component"]["name"] == built.images["api"].rsplit(":", 1)[0]


def test_syft_writes_spdx_on_request(built: Built, tmp_path: Path) -> None:
    output = tmp_path / "web.spdx.json"
    demo.run_pipelinegen(built.root, "sbom", built.images["web"], "--format", "spdx",
                         "--output", str(output), check=True)
    document = json.loads(output.read_text())
    assert document["spdxVersion"].startswith("SPDX-")
    assert "nodejs" in {package["name"] for package in document["packages"]}
