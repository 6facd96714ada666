"""After `pin` rewrites services.yaml the generated Dockerfiles still name the old digests: pin
says so, and `pin --generate` regenerates them. Against the real local registry."""

from __future__ import annotations

from pathlib import Path

from tests.support import bases
from tests.support.cli import RunCli

STALE = "sha256:" + "1" * 64


def _repo(tmp_path: Path) -> Path:
    current = bases.ensure("python")
    stale = current.split("@")[0] + "@" + STALE
    (tmp_path / "services.yaml").write_text(
        "version: 1\nproject:\n  name: shop\n  repository: acme/shop\n  registry: ghcr.io/acme\n"
        "  environments:\n    - {name: dev, namespace: shop-dev}\n"
        # The helm test pod takes the python base too: one base for pin to resolve.
        "  test_base: python\n"
        f"bases:\n  python: {stale}\n"
        "services:\n  api:\n    path: services/api\n    stack: python\n    port: 8080\n")
    return tmp_path


def test_pin_says_the_generated_files_are_stale(tmp_path: Path, run_cli: RunCli) -> None:
    repo = _repo(tmp_path)
    assert run_cli("generate", "--file", repo / "services.yaml").exit_code == 0
    pinned = run_cli("pin", "--file", repo / "services.yaml")
    assert pinned.exit_code == 0, pinned.output
    assert "1 base(s) updated" in pinned.output
    assert ("services.yaml changed, so the generated files are now stale: run"
            " `pipelinegen generate` (or pin with `--generate`)") in pinned.output
    # It is true: check fails until generate runs.
    assert run_cli("check", "--file", repo / "services.yaml").exit_code == 1
    assert run_cli("generate", "--file", repo / "services.yaml").exit_code == 0
    assert run_cli("check", "--file", repo / "services.yaml").exit_code == 0
    again = run_cli("pin", "--file", repo / "services.yaml")
    assert "0 base(s) updated" in again.output and "stale" not in again.output


def test_pin_generate_regenerates(tmp_path: Path, run_cli: RunCli) -> None:
    repo = _repo(tmp_path)
    assert run_cli("generate", "--file", repo / "services.yaml").exit_code == 0
    pinned = run_cli("pin", "--generate", "--file", repo / "services.yaml")
    assert pinned.exit_code == 0, pinned.output
    assert "updated  generated/docker/api.Dockerfile" in pinned.output
    assert STALE not in (repo / "generated/docker/api.Dockerfile").read_text()
    assert run_cli("check", "--file", repo / "services.yaml").exit_code == 0


def test_pin_check_cannot_generate(tmp_path: Path, run_cli: RunCli) -> None:
    repo = _repo(tmp_path)
    result = run_cli("pin", "--check", "--generate", "--file", repo / "services.yaml")
    assert result.exit_code == 2 and "cannot be combined" in result.output
