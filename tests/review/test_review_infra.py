"""The review shows, per service and environment, the cloud resources a change adds, removes or
resizes and the IAM grants its role gains or loses."""

from __future__ import annotations

import json
from pathlib import Path

import cmarkgfm

from tests.support.cli import RunCli

ROOT = Path(__file__).resolve().parents[2]


def _changed(tmp_path: Path) -> tuple[Path, Path]:
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    text = (ROOT / "services.yaml").read_text()
    old.write_text(text)
    new.write_text(text.replace("orders: {kind: postgres, size: small,",
                                "orders: {kind: postgres, size: medium,")
                   .replace("      artwork: {kind: bucket}\n", "      events: {kind: queue}\n"))
    return old, new


def test_infrastructure_changes_per_service_and_environment(tmp_path: Path,
                                                            run_cli: RunCli) -> None:
    old, new = _changed(tmp_path)
    result = run_cli("diff", "--old", old, "--new", new, "--format", "json",
                     "--root", ROOT)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    api = next(s for s in report["services"] if s["name"] == "api")
    dev = [(c["change"], c["summary"]) for c in api["infrastructure"]
           if c["environment"] == "dev"]
    arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:printloop/dev/api"
    assert dev == [
        ("resource-removed", "artwork: bucket removed"),
        ("resource-added", "events: queue added"),
        ("resource-changed", "orders: postgres (small) -> postgres (medium)"),
        ("iam-granted", "secretsmanager:DescribeSecret, secretsmanager:GetSecretValue on "
                        f"{arn}/events-??????"),
        ("iam-granted", "sqs:ChangeMessageVisibility, sqs:DeleteMessage, sqs:GetQueueAttributes,"
                        " sqs:GetQueueUrl, sqs:ReceiveMessage, sqs:SendMessage on"
                        " module.queue_events.queue_arn"),
        ("iam-revoked", "s3:DeleteObject, s3:GetObject, s3:PutObject on"
                        " ${module.bucket_artwork.s3_bucket_arn}/*"),
        ("iam-revoked", "s3:ListBucket on module.bucket_artwork.s3_bucket_arn"),
        ("iam-revoked", "secretsmanager:DescribeSecret, secretsmanager:GetSecretValue on "
                        f"{arn}/artwork-??????"),
    ]
    # production was large already: no resize there.
    assert not [c for c in api["infrastructure"]
                if c["environment"] == "production" and c["change"] == "resource-changed"]
    worker = next(s for s in report["services"] if s["name"] == "worker")
    assert worker["infrastructure"] == []
    # The module's files count as the service's own.
    assert "infra/terraform/modules/api/iam.tf" in [f["path"] for f in api["files"]]


def test_the_comment_has_an_infrastructure_table(tmp_path: Path, run_cli: RunCli) -> None:
    old, new = _changed(tmp_path)
    result = run_cli("diff", "--old", old, "--new", new, "--format", "markdown", "--stat",
                     "--root", ROOT)
    html = cmarkgfm.github_flavored_markdown_to_html(result.output)
    assert "<th>Infrastructure</th>" in html
    assert "<code>orders: postgres (small) -&gt; postgres (medium)</code>" in html
