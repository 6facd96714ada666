"""Every stack's generated Dockerfile builds on a real engine, and its container starts, turns
healthy by its own HEALTHCHECK, answers on its port, runs as a non-root uid and fits its budget."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import demo
from tests.support.demo import Built

# What each demo service answers besides its health path: (path, text in the body).
ANSWERS = {
    "api": ("/quote?pages=10&paper=premium", '"cents": 550'),
    "worker": ("/healthz", '"polls"'),
    "web": ("/health", "ok"),
    # The proof comes from templates/, a runtime file the image holds beside the binary.
    "renderer": ("/proof?w=3&h=2", 'height="2"><rect width="100%" height="100%" fill="#eee"/>'
                 '<text x="4" y="14" font-size="10">printloop proof</text>'),
    "docs": ("/", "Printloop help"),
    "ledger": ("/balance", '"balance_cents": 0'),
    "imposer": ("/sheets?pages=16&up=4&copies=3", '"sheets": 6'),
}


def test_build_reports_every_image_within_budget(built: Built) -> None:
    table = built.output[built.output.index("IMAGE "):]
    for name, image in built.images.items():
        row = next(line for line in table.splitlines() if line.startswith(image + " "))
        size, budget, headroom = (float(row.split()[i]) for i in (1, 3, 5))
        assert 0 < size <= budget and headroom == pytest.approx(budget - size, abs=0.11), row
        assert name in image


@pytest.fixture(scope="module")
def running(built: Built) -> Iterator[dict[str, str]]:
    """One container per demo image, all started before any is waited for."""
    names = {name: f"pipelinegen-test-{name}" for name in built.images if name in ANSWERS}
    for name, container in names.items():
        demo.docker("rm", "-f", container, check=False)
        port = built_port(built.root, name)
        demo.docker("run", "-d", "--name", container, "-p", f"127.0.0.1::{port}",
                    built.images[name])
    yield names
    for container in names.values():
        demo.docker("rm", "-f", container, check=False)


def built_port(root: Path, service: str) -> int:
    dockerfile = (root / f"generated/docker/{service}.Dockerfile").read_text()
    return int(next(line for line in dockerfile.splitlines()
                    if line.startswith("EXPOSE ")).split()[1])


def inspect(container: str) -> dict[str, object]:
    data = json.loads(demo.docker("inspect", container))
    assert isinstance(data, list)
    return dict(data[0])


# The gRPC and portless demos: tests/containers/test_grpc_and_worker_images.py.
@pytest.mark.parametrize("service", list(ANSWERS))
def test_container_turns_healthy_answers_and_runs_as_non_root(
        built: Built, running: dict[str, str], service: str) -> None:
    container = running[service]
    state = demo.healthy(container)
    # The uid the kernel runs the service's process with (the image may hold no `id` at all).
    status = Path(f"/proc/{state['Pid']}/status").read_text()
    uids = next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1:]
    assert uids[0] == "10001" and all(uid != "0" for uid in uids)
    port = built_port(built.root, service)
    mapped = demo.docker("port", container, str(port)).split()[0].rsplit(":", 1)[1]
    path, expected = ANSWERS[service]
    with urllib.request.urlopen(f"http://127.0.0.1:{mapped}{path}", timeout=10) as response:
        assert response.status == 200
        assert expected in response.read().decode()


def test_images_carry_oci_labels_and_the_contract_lines(built: Built) -> None:
    for image in built.images.values():
        config = json.loads(demo.docker("image", "inspect", image))[0]["Config"]
        labels = config["Labels"]
        assert labels["org.opencontainers.image.source"] == "https://github.com/printloop/platform"
        assert labels["org.opencontainers.image.version"] == "test"  # --tag, by default
        assert config["User"] == "10001:10001"
        assert config["Healthcheck"]["Test"][0] == "CMD"


def test_dockerignore_keeps_caches_out_of_the_image(
        built: Built, tmp_path: Path, base_refs: dict[str, str], registry: str) -> None:
    repo = demo.make_repo(tmp_path / "repo", base_refs, registry)
    junk = repo / "services/api/__pycache__/stale.cpython-311.pyc"
    junk.parent.mkdir()
    junk.write_bytes(b"stale")
    done = demo.run_pipelinegen(repo, "build", "api", "--tag", "ignore", check=True)
    image = f"{registry}/api:ignore"
    assert "IMAGE" in done.stdout
    listing = demo.docker("run", "--rm", "--entrypoint", "python", image, "-c",
                          "import os; print(sorted(os.listdir('/app/services/api')),"
                          " sorted(os.listdir('/app')))")
    assert "__pycache__" not in listing
    assert "'packages', 'services'" in listing  # the depends_on path came along
