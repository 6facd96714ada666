"""Runtime packages and backing services on the real engine: a runtime package the base lacks is
installed by the generated Dockerfile (from deb.debian.org) and leaves no apt lists; the
example's backing redis runs under its chart's security settings and answers its probe and a
client on another address."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.support import bases, demo

PROBE_TIMEOUT = 30  # seconds
BUNDLE = "import os; print(os.path.exists('/etc/ssl/certs/ca-certificates.crt'))"
# What apt left in its lists, and the bytes left in its cache (.debs, *.bin).
LEFT = ("import os; print(sorted(os.listdir('/var/lib/apt/lists')),"
        " sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk('/var/cache/apt')"
        " for f in fs))")


def test_a_runtime_package_is_installed_in_the_runtime_image(
        tmp_path: Path, base_refs: dict[str, str], registry: str,
        scratch_names: list[str]) -> None:
    # The test base has no CA bundle: the install below is what brings it.
    before = demo.docker("run", "--rm", base_refs["python"], "python", "-c", BUNDLE)
    assert before.strip() == "False", before
    repo = tmp_path / "repo"
    repo.mkdir()
    for part in ("services", "packages"):
        shutil.copytree(demo.REPO / part, repo / part,
                             ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
    # The CA bundle (with openssl) adds a few megabytes: room for it.
    text = demo.model_text(base_refs, registry, {"worker": "250MB"}).replace(
        "    command: [python, -m, worker]\n",
        "    command: [python, -m, worker]\n    packages: {runtime: [ca-certificates]}\n")
    (repo / "services.yaml").write_text(text)
    demo.run_pipelinegen(repo, "generate", check=True)
    dockerfile = (repo / "generated/docker/worker.Dockerfile").read_text()
    assert "apt-get install -y --no-install-recommends ca-certificates" in dockerfile
    demo.run_pipelinegen(repo, "build", "worker", "--tag", "packages", check=True)
    image = f"{registry}/worker:packages"
    scratch_names.append(image)
    run = ("run", "--rm", "--entrypoint", "python", image, "-c")
    assert demo.docker(*run, BUNDLE).strip() == "True"  # installed
    lists, cache = demo.docker(*run, LEFT).split()
    assert lists == "[]" and int(cache) < 100_000, (lists, cache)  # and apt left nothing
    config = json.loads(demo.docker("image", "inspect", image))[0]["Config"]
    assert config["User"] == "10001:10001"  # installed as root, run as the numeric user


def _chart_values() -> dict[str, object]:
    values: dict[str, object] = YAML(typ="safe").load(
        (demo.REPO / "generated/helm/cache/values.yaml").read_text())
    return values


@pytest.fixture
def redis(scratch_names: list[str]) -> Iterator[str]:
    """The backing redis, run the way its chart runs it: numeric non-root user, read-only root,
    no capabilities, no privilege escalation, the data directory and /tmp writable in memory
    (the emptyDirs), the chart's args."""
    values = _chart_values()
    data = values["data"]
    security = values["podSecurity"]
    assert isinstance(data, dict) and isinstance(security, dict)
    user = f"{security['runAsUser']}:{security['runAsGroup']}"
    name = "pipelinegen-test-backing-redis"
    demo.docker("rm", "-f", name, check=False)
    scratch_names.append(name)
    args = values["args"]
    assert isinstance(args, list)
    demo.docker("run", "-d", "--name", name, "--user", user, "--read-only", "--cap-drop", "ALL",
                "--security-opt", "no-new-privileges",
                "--tmpfs", f"{data['path']}:uid={security['runAsUser']},size=64m",
                "--tmpfs", "/tmp:size=16m", bases.ensure("redis"), *args)
    yield name


def test_the_backing_service_runs_under_its_chart_settings(redis: str) -> None:
    values = _chart_values()
    probe = values["probe"]
    assert isinstance(probe, list)
    deadline = time.monotonic() + PROBE_TIMEOUT
    while True:
        answer = demo.docker("exec", redis, *probe, check=False).strip()
        if answer == "PONG" or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert answer == "PONG", demo.docker("logs", redis, check=False)
    state = json.loads(demo.docker("inspect", redis))[0]
    uids = Path(f"/proc/{state['State']['Pid']}/status").read_text()
    assert next(line for line in uids.splitlines() if line.startswith("Uid:")).split()[1] \
        == "10001"
    # A user pod connects over the network, on the chart's port.
    address = state["NetworkSettings"]["IPAddress"]
    client = [bases.ensure("redis"), "redis-cli", "-h", address, "-p", str(values["port"])]
    assert demo.docker("run", "--rm", *client, "set", "proof", "ok").strip() == "OK"
    assert demo.docker("run", "--rm", *client, "get", "proof").strip() == "ok"


def test_runtime_files_are_in_the_image_owned_by_root(
        demo_repo: Path, registry: str, scratch_names: list[str]) -> None:
    """The renderer's templates/ sits under its working directory, owned by root and not
    writable by others: the process (uid 10001) reads it and cannot change it."""
    demo.run_pipelinegen(demo_repo, "build", "renderer", "--tag", "files", check=True)
    image = f"{registry}/renderer:files"
    config = json.loads(demo.docker("image", "inspect", image))[0]["Config"]
    assert config["WorkingDir"] == "/app"
    name = "pipelinegen-test-runtime-files"
    demo.docker("rm", "-f", name, check=False)
    scratch_names.append(name)
    demo.docker("create", "--name", name, image)
    done = subprocess.run([bases.docker_cli(), "cp", f"{name}:/app/templates", "-"],
                          capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tar:
        members = {member.name: member for member in tar.getmembers()}
    template = members["templates/proof.svg.tmpl"]
    source = demo_repo / "services/renderer/templates/proof.svg.tmpl"
    assert template.size == source.stat().st_size
    for member in members.values():
        assert (member.uid, member.gid) == (0, 0), member.name
        assert not member.mode & 0o002, member.name  # not writable by others
