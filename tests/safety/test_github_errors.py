"""The branch-protection commands against a real HTTP server on 127.0.0.1 that misbehaves:
redirect loops, a token that cannot be sent, a server that echoes the token back. Each is a
clean one-line error, and no token ever reaches the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelinegen.cli import main
from pipelinegen.redact import redact
from tests.support.github import REPO, GitHubServer, Reply, services_yaml

OURS = "s3cr3t-enterprise-token-0123456789"  # a GHES-style token: not GitHub-shaped
SHAPED = ["ghp_" + "A1b2" * 9, "gho_" + "Z9" * 18, "ghs_" + "x" * 36,
          "github_pat_11ABCDEFG0_" + "q" * 59]
PROTECTION = f"{REPO}/branches/main/protection"


@pytest.fixture
def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "services.yaml").write_text(services_yaml())
    monkeypatch.setenv("GITHUB_TOKEN", OURS)
    for name in ("GH_TOKEN", "GITHUB_API_URL", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "services.yaml"


def _run(capsys: pytest.CaptureFixture[str], github: GitHubServer, source: Path,
         command: str = "check") -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:  # any other exception fails the test
        main(["branch-protection", command, "--file", str(source), "--api-url", github.url])
    out, err = capsys.readouterr()
    shown = out + err
    for secret in (OURS, *SHAPED):
        assert secret not in shown
    return int(exited.value.code or 0), out, err


def test_a_redirect_loop_is_a_one_line_error(capsys: pytest.CaptureFixture[str],
                                             github: GitHubServer, source: Path) -> None:
    github.on("GET", PROTECTION, Reply(302, None, {"Location": "{base}/loop"}))
    github.on("GET", "/loop", Reply(301, None, {"Location": "{base}/loop"}))
    code, _, err = _run(capsys, github, source)
    assert code == 2
    assert err.splitlines() == [
        f"error: GET {PROTECTION}: {github.url} redirected too many times (a redirect loop)",
        "hint: check --api-url: it must be the REST API root, e.g. https://HOST/api/v3"]
    assert len([seen for seen in github.seen if seen.path == "/loop"]) == 20  # httpx's limit


@pytest.mark.parametrize("token", ["ghp_tökén", "gh p_space", "tab\there", "line\u2028break"])
def test_a_token_that_cannot_be_sent_is_a_clean_error(
        capsys: pytest.CaptureFixture[str], github: GitHubServer, source: Path,
        monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", token)
    code, _, err = _run(capsys, github, source)
    assert code == 2
    assert err.startswith("error: the GitHub token holds characters no token has")
    assert token not in err
    assert github.seen == []  # nothing was sent


@pytest.mark.parametrize("status", [401, 403, 404, 422])
def test_a_server_echoing_the_token_never_gets_it_printed(
        capsys: pytest.CaptureFixture[str], github: GitHubServer, source: Path,
        status: int) -> None:
    echoed = {"message": f"Bad credentials: Authorization: Bearer {OURS}; also {SHAPED[0]}",
              "errors": [{"message": f"token {SHAPED[1]} and {SHAPED[2]} and {SHAPED[3]}"}]}
    github.on("GET", PROTECTION, Reply(status, echoed))
    code, _, err = _run(capsys, github, source)
    assert code == 2
    assert err.startswith(f"error: GET {PROTECTION}: {status} ")
    assert "Authorization: Bearer [redacted]" in err
    assert err.count("[redacted]") == 5
    assert all(seen.headers["Authorization"] == f"Bearer {OURS}" for seen in github.seen)


def test_a_token_in_a_rulesets_data_is_not_printed_with_the_differences(
        capsys: pytest.CaptureFixture[str], github: GitHubServer, source: Path) -> None:
    github.on("GET", PROTECTION, Reply(404, {"message": "Branch not protected"}))
    github.on("GET", f"{REPO}/rules/branches/main", Reply(200, [
        {"type": "required_status_checks", "ruleset_id": 7, "parameters": {
            "strict_required_status_checks_policy": False,
            "required_status_checks": [{"context": SHAPED[0]}]}}]))
    github.on("GET", f"{REPO}/rulesets/7", Reply(200, {"id": 7, "name": SHAPED[1],
                                                       "enforcement": "active", "rules": []}))
    code, out, _ = _run(capsys, github, source)
    assert code == 1
    assert "[redacted]" in out


def test_redaction_keeps_ordinary_words() -> None:
    text = "the token lacks permission; tokenizer settings; token ghp_short"
    assert redact(text) == text
    assert redact("sent Bearer abc.def-123, then") == "sent Bearer [redacted], then"
