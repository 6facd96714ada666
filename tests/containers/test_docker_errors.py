"""No engine, no syft, a failing build, a failing syft: one-line cause, a hint, exit 2."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from pipelinegen import proc
from pipelinegen.errors import ToolUnavailable
from tests.support import demo
from tests.support.demo import Built

NO_ENGINE = {"DOCKER_HOST": "unix:///nonexistent/docker.sock"}


def assert_one_line_error(done_stderr: str, starts: str) -> None:
    first, *rest = done_stderr.splitlines()
    assert first.startswith(f"error: {starts}"), done_stderr
    assert any(line.startswith("hint: ") for line in rest), done_stderr
    assert "Traceback" not in done_stderr


@pytest.mark.parametrize("command", [
    ["build", "docs"],
    ["image-size", "--service", "docs", "--image", "anything:1"],
    ["sbom", "docs", "--output", "out.json"],
])
def test_no_engine(demo_repo: Path, command: list[str]) -> None:
    done = demo.run_pipelinegen(demo_repo, *command, env=NO_ENGINE)
    assert done.returncode == 2
    assert_one_line_error(done.stderr, "cannot reach the Docker engine: ")
    assert "start the Docker engine (dockerd) or set DOCKER_HOST" in done.stderr


def test_an_image_that_is_not_there(demo_repo: Path) -> None:
    done = demo.run_pipelinegen(demo_repo, "image-size", "--service", "docs", "--image",
                                f"pipelinegen-missing:{uuid.uuid4().hex}")
    assert done.returncode == 2
    assert_one_line_error(done.stderr, "image pipelinegen-missing:")


def test_syft_missing(demo_repo: Path, tmp_path: Path) -> None:
    done = demo.run_pipelinegen(demo_repo, "sbom", "docs", "--output", str(tmp_path / "x.json"),
                                env={"PIPELINEGEN_SYFT": str(tmp_path / "no-syft-here")})
    assert done.returncode == 2
    assert_one_line_error(done.stderr, f"PIPELINEGEN_SYFT={tmp_path}/no-syft-here is not")
    with pytest.raises(ToolUnavailable) as raised:
        proc.find("pipelinegen-no-such-program", "PIPELINEGEN_NO_SUCH_VARIABLE", "install it")
    assert raised.value.message == "pipelinegen-no-such-program is not installed (not on PATH)"
    assert raised.value.hint == "install it"


def test_syft_failing_shows_command_exit_code_and_output(built: Built, tmp_path: Path) -> None:
    # A syft that fails the way syft does on an image it cannot read.
    syft = tmp_path / "syft"
    syft.write_text("#!/bin/sh\necho 'could not determine source: unreadable image' >&2\nexit 1\n")
    syft.chmod(0o755)
    image = built.images["docs"]
    done = demo.run_pipelinegen(built.root, "sbom", image, "--output", str(tmp_path / "x"),
                                env={"PIPELINEGEN_SYFT": str(syft)})
    assert done.returncode == 2
    assert_one_line_error(done.stderr, f"syft could not write an SBOM of {image} (exit ")
    assert f"\ncommand: {syft} scan docker:{image} --output cyclonedx-json=" in done.stderr
    assert "\nexit code: 1\n--- stdout:\n(empty)\n--- stderr:\n" in done.stderr
    assert "could not determine source: unreadable image" in done.stderr


def test_a_failing_build(built: Built, tmp_path: Path, base_refs: dict[str, str],
                         registry: str) -> None:
    repo = demo.make_repo(tmp_path / "repo", base_refs, registry)
    # package.json and its lock disagree: `npm ci` fails inside the build.
    manifest = repo / "services/web/package.json"
    manifest.write_text(manifest.read_text().replace(
        '"name"', '"dependencies": {"left-pad": "1.3.0"},\n  "name"', 1))
    done = demo.run_pipelinegen(repo, "build", "web", "--tag", "broken")
    assert done.returncode == 2
    assert_one_line_error(done.stderr, f"building {registry}/web:broken failed (exit 1)")
    assert "package-lock.json" in done.stderr  # the end of the build log says why
    assert "hint: fix generated/docker/web.Dockerfile or the sources it copies" in done.stderr


def test_a_docker_cli_that_is_not_there(demo_repo: Path, tmp_path: Path) -> None:
    done = demo.run_pipelinegen(demo_repo, "build", "docs",
                                env={"PIPELINEGEN_DOCKER": str(tmp_path / "docker")})
    assert done.returncode == 2
    assert_one_line_error(done.stderr, f"PIPELINEGEN_DOCKER={tmp_path}/docker is not an"
                                       " executable program")
