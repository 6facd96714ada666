"""validate rule secret-values: a value that looks like a secret is never committed."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelinegen.validate.secret_values import looks_secret
from tests.support.cli import RunCli


def test_the_bundled_example_holds_no_secret(example_repo: Path, run_cli: RunCli) -> None:
    result = run_cli("validate", "--rule", "secret-values", "--file",
                     example_repo / "services.yaml")
    assert result.exit_code == 0, result.output


def test_a_pasted_token_is_reported_where_it_is(example_repo: Path, run_cli: RunCli) -> None:
    source = example_repo / "services.yaml"
    text = source.read_text().replace(
        "        QUEUE_POLL_SECONDS: \"5\"\n",
        "        QUEUE_POLL_SECONDS: \"5\"\n        RENDER_KEY: 9c1Yp0tXq7LzR2mV4bN8sK3wE6hJ5fD0\n")
    source.write_text(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "RENDER_KEY" in row)
    result = run_cli("validate", "--rule", "secret-values", "--format", "text", "--file", source)
    assert result.exit_code == 1
    assert (f"services.yaml:{line}:21: [error] secret-values: services.worker.deploy.env."
            "RENDER_KEY: this looks like a random string of 32 characters") in result.output
    assert "put it in the secret store and reference it" in result.output


@pytest.mark.parametrize(("value", "what"), [
    ("AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
    ("ghp_" + "a1B2c3D4e5" * 4, "a GitHub token"),
    ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "a Stripe secret key"),
    ("postgres://app:hunter2@db.internal/orders", "a password in a URL"),
    ("-----BEGIN RSA PRIVATE KEY-----", "a private key"),
])
def test_known_credential_shapes(value: str, what: str) -> None:
    assert looks_secret(value) == what


@pytest.mark.parametrize("value", [
    "info", "http://api:8080", "printloop-production-worker-print-jobs",
    "arn:aws:secretsmanager:eu-west-1:444455556666:secret:printloop/production/api-database",
    "https://github.com/printloop/platform/tree/main/services/api",
    "python:3.12-slim@sha256:782412e85d0f0984994c290652577d4018aff08145c85b262bb63dc0c7522254",
])
def test_ordinary_values_pass(value: str) -> None:
    assert looks_secret(value) is None
