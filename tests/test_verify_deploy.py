"""The deploy jobs' verification step admits only an image signed and attested by this
repository's CI on the default branch. GitHub, Sigstore and a registry holding signatures cannot
be reached here, so `cosign` and `gh` are stand-ins (tests/support/fakes) that check the identity
and issuer asked for and answer with the tools' recorded output and messages; bash and jq are real,
and the step's script is run exactly as GitHub runs `shell: bash`.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.support import workflow_models

FAKES = Path(__file__).parent / "support" / "fakes"
DIGEST = "sha256:" + "d" * 64
IMAGE = "ghcr.io/printloop/api"
REF = f"{IMAGE}@{DIGEST}"
GOOD = "https://github.com/printloop/platform/.github/workflows/ci.yml@refs/heads/main"
ISSUER = "https://token.actions.githubusercontent.com"


def deploy_steps(environment: str) -> list[dict[str, Any]]:
    deploy = YAML(typ="safe").load(workflow_models.bundled()[".github/workflows/deploy.yml"])
    return list(deploy["jobs"][f"deploy-{environment}"]["steps"])


def verify_step(environment: str = "production") -> dict[str, Any]:
    (step,) = [s for s in deploy_steps(environment) if s["name"].startswith("Verify")]
    return step


def run(tmp_path: Path, signed: str | None = REF, attested: str | None = REF,
        signer: str = GOOD, issuer: str = ISSUER, answers_for: str | None = None
        ) -> tuple[int, str, list[list[str]]]:
    step = verify_step()
    assert step["shell"] == "bash"
    log = tmp_path / "calls.jsonl"
    env = {**os.environ, **step["env"], "IMAGE": IMAGE, "DIGEST": DIGEST,
           "PATH": f"{FAKES}{os.pathsep}{os.environ['PATH']}",
           "SIGSTORE_SIGNER": signer, "SIGSTORE_ISSUER": issuer, "SIGSTORE_LOG": str(log)}
    for name, value in (("SIGSTORE_SIGNED", signed), ("SIGSTORE_ATTESTED", attested),
                        ("SIGSTORE_ANSWERS_FOR", answers_for)):
        env.pop(name, None)
        if value:
            env[name] = value
    script = tmp_path / "step.sh"
    script.write_text(step["run"])
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                          env=env, capture_output=True, text=True, check=False)
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return done.returncode, done.stdout + done.stderr, calls


def test_the_image_ci_signed_and_attested_on_the_default_branch_passes(tmp_path: Path) -> None:
    code, out, calls = run(tmp_path)
    assert code == 0, out
    assert f"Verified {REF}: signed and attested by {GOOD}" in out
    assert [c[:2] for c in calls] == [["cosign", "verify"], ["gh", "attestation"]]
    assert calls[0][2] == REF and calls[1][3] == f"oci://{REF}"  # the digest, never a tag


@pytest.mark.parametrize("signer", [
    "https://github.com/printloop/platform/.github/workflows/ci.yml@refs/heads/feature",
    "https://github.com/someone/platform/.github/workflows/ci.yml@refs/heads/main",
    "https://github.com/printloop/platform/.github/workflows/other.yml@refs/heads/main",
])
def test_a_signature_by_another_identity_stops_the_deploy(tmp_path: Path, signer: str) -> None:
    code, out, calls = run(tmp_path, signer=signer)
    assert code == 1
    assert "none of the expected identities matched" in out  # cosign's own message
    assert f"::error::refusing to deploy {REF}: no valid signature (expected: signed by {GOOD}," \
           f" issuer {ISSUER})" in out
    assert [c[0] for c in calls] == ["cosign"]  # stops at once


def test_another_issuer_stops_the_deploy(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, issuer="https://accounts.google.com")
    assert code == 1 and "no valid signature" in out


def test_an_unsigned_image_stops_the_deploy(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, signed=None, attested=None)
    assert code == 1
    assert "no signatures found" in out
    assert f"::error::refusing to deploy {REF}: no valid signature" in out


def test_a_signed_image_without_provenance_stops_the_deploy(tmp_path: Path) -> None:
    code, out, calls = run(tmp_path, attested=None)
    assert code == 1
    assert "Loading attestations from OCI registry failed" in out
    assert f"::error::refusing to deploy {REF}: no valid build provenance" in out
    assert [c[0] for c in calls] == ["cosign", "gh"]


def test_another_digest_signed_does_not_vouch_for_this_one(tmp_path: Path) -> None:
    other = f"{IMAGE}@sha256:{'e' * 64}"
    code, out, _ = run(tmp_path, signed=other, attested=other)
    assert code == 1 and "no signatures found" in out


@pytest.mark.parametrize(("tool", "refusal"), [
    ("cosign", "the signature is for another image"),
    ("gh", "the provenance is for another image or signer"),
])
def test_an_answer_about_another_image_is_not_taken(tmp_path: Path, tool: str,
                                                     refusal: str) -> None:
    """Belt and braces: what the tool verified must name this very digest."""
    code, out, _ = run(tmp_path, answers_for=f"{tool}:{IMAGE}@sha256:{'e' * 64}")
    assert code == 1
    assert f"::error::refusing to deploy {REF}: {refusal}" in out


@pytest.mark.parametrize("environment", ["dev", "staging", "production"])
def test_every_environment_verifies_after_resolving_and_before_rolling_out(
    environment: str,
) -> None:
    names = [s["name"] for s in deploy_steps(environment)]
    verify = names.index("Verify the signature and provenance")
    assert names.index("Find the image digest") < verify < next(
        i for i, name in enumerate(names) if name.startswith("Roll out"))
    assert names[verify - 1] == "Install cosign"
    step = verify_step(environment)
    assert step["env"]["DIGEST"] == "${{ steps.image.outputs.digest }}"
    assert step["env"]["IDENTITY"] == GOOD and step["env"]["ISSUER"] == ISSUER


def test_the_identity_follows_the_repository_and_default_branch(tmp_path: Path) -> None:
    files = workflow_models.variant(tmp_path)
    deploy = YAML(typ="safe").load(files[".github/workflows/deploy.yml"])
    for job_id, job in deploy["jobs"].items():
        if not job_id.startswith("deploy-"):
            continue  # prune-<env> deploys no image
        (step,) = [s for s in job["steps"] if s["name"].startswith("Verify")]
        assert step["env"]["IDENTITY"] == \
            "https://github.com/acme/shop/.github/workflows/ci.yml@refs/heads/trunk"
        assert step["env"]["IMAGE"] == "registry.example.com/acme/${{ matrix.service }}"
