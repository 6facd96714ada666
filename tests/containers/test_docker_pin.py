"""`pipelinegen pin` against the real local registry."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import bases, demo, registry

HOST = bases.REGISTRY

SERVICES_YAML = """\
# A commented services file: pin must leave every byte but the digests alone.
version: 1   # format

project:
  name: pinme
  repository: acme/pinme
  registry: ghcr.io/acme
  environments:
    - {{name: dev, namespace: dev}}   # flow style stays flow style
  test_base: gamma

bases:
  # unpinned: only a tag
  alpha: {alpha}
  beta: "{beta}"     # quoted, with a stale digest
  gamma: '{gamma}'
  multi: {multi}

services:
  app:
    path: services/app
    stack: python
    builder: alpha
    base: gamma
    port: 8080
    command: ["python", "-m", "app"]
"""


@pytest.fixture
def repos() -> Iterator[dict[str, str]]:
    prefix = f"{HOST}/pipelinegen-pin-{uuid.uuid4().hex[:8]}"
    yield {name: f"{prefix}/{name}" for name in ("alpha", "beta", "gamma", "multi")}
    images = demo.docker("image", "ls", "--quiet", "--filter", f"reference={prefix}/*",
                         check=False).split()
    if images:
        demo.docker("image", "rm", "--force", *sorted(set(images)), check=False)


def write(tmp_path: Path, refs: dict[str, str]) -> Path:
    path = tmp_path / "services.yaml"
    path.write_text(SERVICES_YAML.format(**refs))
    return path


def test_pin_rewrites_only_the_digests(tmp_path: Path, repos: dict[str, str]) -> None:
    alpha = registry.push_tiny(f"{repos['alpha']}:1.0", "alpha")
    beta_old = registry.push_tiny(f"{repos['beta']}:2", "beta one")
    beta = registry.push_tiny(f"{repos['beta']}:2", "beta two")
    gamma = registry.push_tiny(f"{repos['gamma']}:3.1", "gamma")
    multi_repo = repos["multi"].removeprefix(f"{HOST}/")
    multi = registry.push_index(HOST, multi_repo, "v1", ["linux/amd64", "linux/arm64"])
    assert beta != beta_old
    before = {"alpha": f"{repos['alpha']}:1.0", "beta": f"{repos['beta']}:2@{beta_old}",
              "gamma": f"{repos['gamma']}:3.1@{gamma}", "multi": f"{repos['multi']}:v1"}
    path = write(tmp_path, before)

    check = demo.run_pipelinegen(tmp_path, "pin", "--check")
    assert check.returncode == 1
    assert path.read_text() == SERVICES_YAML.format(**before)  # --check changes nothing
    assert "services.yaml:14:10: [error] pinned-base: base 'alpha' is unpinned" in check.stdout
    assert "services.yaml:15:9: [error] pinned-base: base 'beta' is stale" in check.stdout

    done = demo.run_pipelinegen(tmp_path, "pin", check=True)
    after = {"alpha": f"{repos['alpha']}:1.0@{alpha}", "beta": f"{repos['beta']}:2@{beta}",
             "gamma": f"{repos['gamma']}:3.1@{gamma}", "multi": f"{repos['multi']}:v1@{multi}"}
    assert path.read_bytes() == SERVICES_YAML.format(**after).encode()
    assert "3 base(s) updated" in done.stdout
    assert demo.run_pipelinegen(tmp_path, "pin", "--check").returncode == 0


def test_pin_check_detects_a_stale_pin_after_a_repush(tmp_path: Path,
                                                       repos: dict[str, str]) -> None:
    refs = {name: f"{repo}:1@{registry.push_tiny(f'{repo}:1', name)}"
            for name, repo in repos.items()}
    path = write(tmp_path, refs)
    assert demo.run_pipelinegen(tmp_path, "pin", "--check").returncode == 0
    new = registry.push_tiny(f"{repos['gamma']}:1", "gamma, rebuilt")
    check = demo.run_pipelinegen(tmp_path, "pin", "--check")
    assert check.returncode == 1
    assert "services.yaml:16:10: [error] pinned-base: base 'gamma' is stale" in check.stdout
    assert new in check.stdout
    assert path.read_text() == SERVICES_YAML.format(**refs)


def test_pin_resolves_a_multi_arch_image_to_its_index_digest(tmp_path: Path,
                                                             repos: dict[str, str]) -> None:
    repo = repos["multi"].removeprefix(f"{HOST}/")
    index = registry.push_index(HOST, repo, "v2", ["linux/amd64", "linux/arm64", "linux/s390x"])
    from pipelinegen.adapters import oci as client
    from pipelinegen.core import imageref

    assert client.resolve(imageref.parse(f"{repos['multi']}:v2")) == index


def test_an_unreachable_registry_is_a_one_line_error(tmp_path: Path) -> None:
    refs = {name: f"127.0.0.1:9/acme/{name}:1" for name in ("alpha", "beta", "gamma", "multi")}
    write(tmp_path, refs)
    done = demo.run_pipelinegen(tmp_path, "pin")
    assert done.returncode == 2
    assert done.stderr.startswith("error: cannot reach the registry 127.0.0.1:9"
                                  " (http://127.0.0.1:9): ")
    assert "hint:" in done.stderr and "Traceback" not in done.stderr


def test_pin_on_the_bundled_services_file_changes_only_the_digests(
        tmp_path: Path, base_refs: dict[str, str]) -> None:
    pinned = demo.model_text(base_refs, "ghcr.io/printloop")
    tags_only = demo.model_text({name: ref.split("@")[0] for name, ref in base_refs.items()},
                                "ghcr.io/printloop")
    (tmp_path / "services.yaml").write_text(tags_only)
    done = demo.run_pipelinegen(tmp_path, "pin", check=True)
    # Every test base, and helm-test and the backing redis (demo.model_text gives them the
    # static base's reference).
    assert f"{len(base_refs) + 2} base(s) updated" in done.stdout
    assert (tmp_path / "services.yaml").read_text() == pinned
