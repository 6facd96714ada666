"""`pipelinegen validate` rule pinned-base, on hand-written and generated Dockerfiles."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.demo import REPO, run_pipelinegen

DIGEST = "sha256:" + "ab" * 32

HAND_WRITTEN = f"""\
# A hand-written Dockerfile of a legacy service.
ARG PYBASE=python:3.12-slim@{DIGEST}
FROM ${{PYBASE}} AS deps
FROM python:3.12 AS build
RUN echo building

FROM deps
FROM   x:latest
COPY --from=build /etc/hostname /x
FROM scratch
FROM --platform=$BUILDPLATFORM golang:1.22 AS tools
"""


def repository(tmp_path: Path) -> Path:
    """A copy of the bundled example, generated, with nothing else."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO / "services.yaml", root / "services.yaml")
    run_pipelinegen(root, "generate", check=True)
    return root


def test_generated_dockerfiles_pass(tmp_path: Path) -> None:
    root = repository(tmp_path)
    done = run_pipelinegen(root, "validate", "--rule", "pinned-base")
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in (root / "generated/docker").glob("*.Dockerfile")) == [
        "api.Dockerfile", "courier.Dockerfile", "docs.Dockerfile", "imposer.Dockerfile",
        "invoices.Dockerfile", "ledger.Dockerfile", "renderer.Dockerfile", "stock.Dockerfile",
        "web.Dockerfile", "worker.Dockerfile"]


def test_the_repository_itself_passes() -> None:
    done = run_pipelinegen(REPO, "validate", "--rule", "pinned-base")
    assert done.returncode == 0, done.stdout + done.stderr


def test_unpinned_bases_are_flagged_at_their_line_and_column(tmp_path: Path) -> None:
    root = repository(tmp_path)
    legacy = root / "services/legacy/Dockerfile"
    legacy.parent.mkdir(parents=True)
    legacy.write_text(HAND_WRITTEN)
    done = run_pipelinegen(root, "validate", "--rule", "pinned-base", "--format", "text")
    assert done.returncode == 1
    lines = [line for line in done.stdout.splitlines() if not line.startswith("    hint:")]
    assert lines == [
        "services/legacy/Dockerfile:4:6: [error] pinned-base: FROM python:3.12 is not pinned by"
        " digest (the tag '3.12' can be moved to other content)",
        "services/legacy/Dockerfile:8:8: [error] pinned-base: FROM x:latest is not pinned by"
        " digest ('latest' moves with every release)",
        "services/legacy/Dockerfile:11:32: [error] pinned-base: FROM golang:1.22 is not pinned"
        " by digest (the tag '1.22' can be moved to other content)",
    ]
    assert "hint: write python:3.12@sha256:<digest>" in done.stdout
    assert "error: 3 problem(s) found" in done.stderr


def test_arg_substitution(tmp_path: Path) -> None:
    root = repository(tmp_path)
    (root / "Dockerfile.tools").write_text(
        "ARG BASE=node:22\nARG OPEN\nFROM ${BASE}\nFROM $OPEN\n"
        f"FROM ${{MISSING:-alpine@{DIGEST}}}\n")
    done = run_pipelinegen(root, "validate", "--rule", "pinned-base", "--format", "json")
    assert done.returncode == 1
    assert '"file": "Dockerfile.tools"' in done.stdout
    assert '"line": 3' in done.stdout and "FROM node:22 is not pinned" in done.stdout
    assert '"line": 4' in done.stdout and "$OPEN has no default value" in done.stdout
    assert '"line": 5' not in done.stdout  # the default of ${MISSING:-...} is pinned


def test_a_generated_dockerfile_edited_to_a_tag_is_flagged(tmp_path: Path) -> None:
    root = repository(tmp_path)
    path = root / "generated/docker/web.Dockerfile"
    text = path.read_text()
    pinned = text.split("\nFROM ", 1)[1].split(" AS ", 1)[0]
    path.write_text(text.replace(pinned, "node:22-bookworm-slim", 1))
    done = run_pipelinegen(root, "validate", "--rule", "pinned-base")
    assert done.returncode == 1
    assert "generated/docker/web.Dockerfile:6:6: [error] pinned-base: FROM node:22-bookworm-slim" \
        in done.stdout
