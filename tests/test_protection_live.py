"""`branch-protection check` and `apply` against a real HTTP server on 127.0.0.1 that answers
with GitHub-shaped responses and records every request it receives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pipelinegen import load
from pipelinegen.errors import PipelinegenError
from pipelinegen.model import Model
from pipelinegen.protection import ruleset
from pipelinegen.protection.github import READ_METADATA, GitHub, GitHubError
from tests.support.github import REPO, TOKEN, GitHubServer, Reply, run, services_yaml


def model_of(text: str) -> Model:
    return load.loads(text.encode(), "services.yaml")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "services.yaml").write_text(services_yaml())
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    for name in ("GH_TOKEN", "GITHUB_API_URL", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "services.yaml"


# --- GitHub-shaped data --------------------------------------------------------------------

CLASSIC = {  # what GET .../branches/main/protection answers for a branch matching the model
    "url": "https://api.github.com/repos/acme/demo/branches/main/protection",
    "required_status_checks": {
        "strict": True, "contexts": ["gate"], "checks": [{"context": "gate", "app_id": 15368}]},
    "required_pull_request_reviews": {
        "dismiss_stale_reviews": True, "require_code_owner_reviews": True,
        "required_approving_review_count": 2, "require_last_push_approval": True},
    "enforce_admins": {"enabled": True},
    "required_linear_history": {"enabled": True},
    "allow_force_pushes": {"enabled": False},
    "allow_deletions": {"enabled": False},
    "block_creations": {"enabled": False},
    "required_conversation_resolution": {"enabled": True},
    "lock_branch": {"enabled": False},
    "allow_fork_syncing": {"enabled": False},
    "required_signatures": {"enabled": False},
}

CLASSIC_WEAK = {  # the disabled forms
    "required_pull_request_reviews": {
        "dismiss_stale_reviews": False, "require_code_owner_reviews": False,
        "required_approving_review_count": 1, "require_last_push_approval": False,
        "bypass_pull_request_allowances": {"users": [{"id": 11}], "teams": [], "apps": []}},
    "required_status_checks": {"strict": False, "contexts": ["lint"]},
    "enforce_admins": {"enabled": False},
    "required_linear_history": {"enabled": False},
    "allow_force_pushes": {"enabled": True},
    "allow_deletions": {"enabled": False},
    "required_conversation_resolution": {"enabled": False},
    "required_signatures": {"enabled": True},
}

NOT_PROTECTED = Reply(404, {"message": "Branch not protected",
                            "documentation_url": "https://docs.github.com/rest"})


def rules_of(body: dict[str, Any], ruleset_id: int = 7) -> list[dict[str, Any]]:
    """The rules GET .../rules/branches/main answers for one ruleset."""
    return [{**rule, "ruleset_source_type": "Repository", "ruleset_source": "acme/demo",
             "ruleset_id": ruleset_id} for rule in body["rules"]]


def model_ruleset(bypass: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body = ruleset.ruleset(model_of(services_yaml()).project)
    return {**body, "id": 7, "source_type": "Repository", "source": "acme/demo",
            "bypass_actors": bypass if bypass is not None else body["bypass_actors"]}


def serve_branch(github: GitHubServer, classic: Reply, rules: list[dict[str, Any]],
                 *rulesets: dict[str, Any]) -> None:
    github.on("GET", f"{REPO}/branches/main/protection", classic)
    github.on("GET", f"{REPO}/rules/branches/main", Reply(200, rules))
    for body in rulesets:
        github.on("GET", f"{REPO}/rulesets/{body['id']}", Reply(200, body))


def check(capsys: pytest.CaptureFixture[str], github: GitHubServer, repo: Path,
          *extra: str) -> tuple[int, str, str]:
    return run(capsys, "branch-protection", "check", "--file", str(repo), "--api-url",
               github.url, *extra)


# --- check -----------------------------------------------------------------------------------


def test_check_classic_protection_matching_the_model(capsys: pytest.CaptureFixture[str],
                                                     github: GitHubServer, repo: Path) -> None:
    serve_branch(github, Reply(200, CLASSIC), [])
    code, out, _ = check(capsys, github, repo)
    assert (code, out) == (0, "acme/demo main: live branch protection matches the model"
                              " (Scorecard Branch-Protection tier 5)\n")
    assert github.paths() == [f"GET {REPO}/branches/main/protection",
                              f"GET {REPO}/rules/branches/main?per_page=100"]
    headers = github.seen[0].headers
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert headers["Accept"] == "application/vnd.github+json"


def test_check_reports_every_difference_of_weak_classic_protection(
        capsys: pytest.CaptureFixture[str], github: GitHubServer, repo: Path) -> None:
    serve_branch(github, Reply(200, CLASSIC_WEAK), [])
    code, out, err = check(capsys, github, repo, "--branch", "main")
    assert code == 1
    assert out.splitlines() == [f"acme/demo main: {line}" for line in [
        "block_force_pushes: live false, model true",
        "required_approvals: live 1, model 2",
        "code_owner_review: live false, model true",
        "dismiss_stale_reviews: live false, model true",
        "last_push_approval: live false, model true",
        "conversation_resolution: live false, model true",
        "strict_status_checks: live false, model true",
        "linear_history: live false, model true",
        "signed_commits: live true, model false",
        "required check gate (from GitHub Actions): the model requires it, live does not",
        "required check lint (from any app): live requires it, the model does not",
        "bypass role:admin: may bypass classic branch protection; the model does not allow it",
        "bypass user:11: may bypass classic branch protection; the model does not allow it",
    ]]
    assert err.startswith("error: 13 difference(s) between the live branch protection and the"
                          " model\n")


def test_check_plain_boolean_classic_form_is_read_too(capsys: pytest.CaptureFixture[str],
                                                      github: GitHubServer, repo: Path) -> None:
    plain = {key: value["enabled"] if isinstance(value, dict) and set(value) == {"enabled"}
             else value for key, value in CLASSIC.items()}
    assert plain["enforce_admins"] is True
    serve_branch(github, Reply(200, plain), [])
    assert check(capsys, github, repo)[0] == 0


def test_check_ruleset_without_bypass_matches(capsys: pytest.CaptureFixture[str],
                                              github: GitHubServer, repo: Path) -> None:
    body = model_ruleset()
    serve_branch(github, NOT_PROTECTED, rules_of(body), body)
    code, out, _ = check(capsys, github, repo)
    assert code == 0, out
    assert f"GET {REPO}/rulesets/7" in github.paths()


def test_check_ruleset_bypass_actors_are_differences(capsys: pytest.CaptureFixture[str],
                                                     github: GitHubServer, repo: Path) -> None:
    body = model_ruleset(bypass=[
        {"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"},
        {"actor_id": 42, "actor_type": "Team", "bypass_mode": "pull_request"},
        {"actor_id": None, "actor_type": "OrganizationAdmin", "bypass_mode": "always"},
    ])
    serve_branch(github, NOT_PROTECTED, rules_of(body), body)
    code, out, _ = check(capsys, github, repo)
    source = "ruleset 'pipelinegen-branch-protection' (#7)"
    assert (code, out.splitlines()) == (1, [
        f"acme/demo main: bypass org-admin: may bypass {source}; the model does not allow it",
        f"acme/demo main: bypass role:admin: may bypass {source}; the model does not allow it",
        f"acme/demo main: bypass team:42 (bypass_mode pull_request): may bypass {source};"
        " the model does not allow it",
    ])


def test_check_model_bypass_matches_the_live_actor(capsys: pytest.CaptureFixture[str],
                                                   github: GitHubServer, repo: Path) -> None:
    repo.write_text(services_yaml("bypass: [role:admin]"))
    body = model_ruleset(bypass=[
        {"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"}])
    serve_branch(github, NOT_PROTECTED, rules_of(body), body)
    assert check(capsys, github, repo)[0] == 0


def test_check_follows_pagination_and_reports_foreign_rules(
        capsys: pytest.CaptureFixture[str], github: GitHubServer, repo: Path) -> None:
    body = model_ruleset()
    org = {"id": 9, "name": "org-baseline", "source_type": "Organization", "bypass_actors": []}
    rules = rules_of(body)
    extra = [
        {"type": "required_deployments", "parameters": {"required_deployment_environments":
                                                        ["staging"]}, "ruleset_id": 9},
        {"type": "required_status_checks", "ruleset_id": 9, "parameters": {
            "strict_required_status_checks_policy": False,
            "required_status_checks": [{"context": "gate", "integration_id": 15368},
                                       {"context": "lint"}]}},
    ]
    github.on("GET", f"{REPO}/branches/main/protection", NOT_PROTECTED)
    github.on("GET", f"{REPO}/rules/branches/main?per_page=100", Reply(200, rules[:3], {
        "Link": f'<{{base}}{REPO}/rules/branches/main?per_page=100&page=2>; rel="next", '
                f'<{{base}}{REPO}/rules/branches/main?per_page=100&page=2>; rel="last"'}))
    github.on("GET", f"{REPO}/rules/branches/main?per_page=100&page=2",
              Reply(200, rules[3:] + extra))
    github.on("GET", f"{REPO}/rulesets/7", Reply(200, body))
    github.on("GET", f"{REPO}/rulesets/9", Reply(200, org))
    code, out, _ = check(capsys, github, repo)
    assert (code, out.splitlines()) == (1, [
        "acme/demo main: required check lint (from any app): live requires it, the model does"
        " not",
        "acme/demo main: rule required_deployments: enforced by ruleset 'org-baseline' (#9),"
        " which the model does not state",
    ])
    assert github.paths() == [
        f"GET {REPO}/branches/main/protection",
        f"GET {REPO}/rules/branches/main?per_page=100",
        f"GET {REPO}/rules/branches/main?per_page=100&page=2",
        f"GET {REPO}/rulesets/7",
        f"GET {REPO}/rulesets/9",
    ]


def test_check_unreadable_bypass_list_is_reported(capsys: pytest.CaptureFixture[str],
                                                  github: GitHubServer, repo: Path) -> None:
    body = model_ruleset()
    del body["bypass_actors"]
    serve_branch(github, NOT_PROTECTED, rules_of(body), body)
    code, out, _ = check(capsys, github, repo)
    assert (code, out) == (1, "acme/demo main: unknown: cannot read the bypass list of ruleset"
                              " 'pipelinegen-branch-protection' (#7) (GitHub shows it only to"
                              " tokens with write access to the ruleset)\n")


def test_check_unprotected_branch_differs_in_everything(capsys: pytest.CaptureFixture[str],
                                                        github: GitHubServer, repo: Path) -> None:
    serve_branch(github, NOT_PROTECTED, [])
    code, out, _ = check(capsys, github, repo)
    assert code == 1
    assert len(out.splitlines()) == 11  # every setting the model turns on, and the gate
    assert "acme/demo main: require_pull_request: live false, model true" in out.splitlines()


@pytest.mark.parametrize(("reply", "message", "hint"), [
    (Reply(401, {"message": "Bad credentials"}),
     f"error: GET {REPO}/branches/main/protection: 401 Unauthorized: GitHub rejected the token"
     " (Bad credentials)",
     "hint: set GITHUB_TOKEN or GH_TOKEN to a valid, unexpired token"),
    (Reply(403, {"message": "Resource not accessible by personal access token"},
           {"X-Accepted-GitHub-Permissions": "administration=read"}),
     f"error: GET {REPO}/branches/main/protection: 403 Forbidden: the token lacks permission"
     " (Resource not accessible by personal access token)",
     'hint: use a fine-grained token with the repository permission "Administration" (read),'
     " and admin access to the repository (GitHub accepts: administration=read), or a classic"
     " token with the 'repo' scope"),
    (Reply(404, {"message": "Not Found"}),
     f"error: GET {REPO}/branches/main/protection: 404 Not Found: repository or branch not"
     " found, or the token cannot see it (Not Found)",
     "hint: check --repo and --branch, and that the token has access to the repository"),
    (Reply(404, {"message": "Branch not found"}),
     f"error: GET {REPO}/branches/main/protection: 404 Not Found: repository or branch not"
     " found, or the token cannot see it (Branch not found)",
     "hint: check --repo and --branch, and that the token has access to the repository"),
])
def test_check_errors_are_one_line_and_never_show_the_token(
        capsys: pytest.CaptureFixture[str], github: GitHubServer, repo: Path, reply: Reply,
        message: str, hint: str) -> None:
    github.on("GET", f"{REPO}/branches/main/protection", reply)
    code, out, err = check(capsys, github, repo)
    assert (code, out, err) == (2, "", f"{message}\n{hint}\n")
    assert len(github.seen) == 1  # client errors are not retried


def test_check_without_a_token(capsys: pytest.CaptureFixture[str], github: GitHubServer,
                               repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    code, _, err = check(capsys, github, repo)
    assert (code, err.splitlines()[0]) == (2, "error: no GitHub token: set GITHUB_TOKEN or"
                                              " GH_TOKEN")
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    serve_branch(github, Reply(200, CLASSIC), [])
    assert check(capsys, github, repo)[0] == 0
    assert github.seen[-1].headers["Authorization"] == f"Bearer {TOKEN}"


def test_check_retries_429_after_retry_after_then_succeeds(
        capsys: pytest.CaptureFixture[str], github: GitHubServer, repo: Path) -> None:
    github.on("GET", f"{REPO}/branches/main/protection",
              Reply(429, {"message": "slow down"}, {"Retry-After": "1"}), Reply(200, CLASSIC))
    github.on("GET", f"{REPO}/rules/branches/main", Reply(200, []))
    started = time.monotonic()
    code, _, _ = check(capsys, github, repo)
    assert code == 0
    assert time.monotonic() - started >= 1.0  # Retry-After was honoured
    assert github.paths()[:2] == [f"GET {REPO}/branches/main/protection"] * 2


def test_check_retries_500_then_succeeds(capsys: pytest.CaptureFixture[str],
                                         github: GitHubServer, repo: Path) -> None:
    github.on("GET", f"{REPO}/branches/main/protection", Reply(200, CLASSIC))
    github.on("GET", f"{REPO}/rules/branches/main",
              Reply(500, {"message": "Server Error"}), Reply(200, []))
    code, out, _ = check(capsys, github, repo)
    assert code == 0, out
    assert github.paths().count(f"GET {REPO}/rules/branches/main?per_page=100") == 2


def test_check_through_the_installed_command(github: GitHubServer, repo: Path) -> None:
    serve_branch(github, Reply(200, CLASSIC_WEAK), [])
    env = {**os.environ, "GITHUB_TOKEN": TOKEN}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "pipelinegen"), "branch-protection", "check",
         "--file", str(repo), "--api-url", github.url],
        capture_output=True, text=True, env=env, check=False, timeout=60)
    assert done.returncode == 1
    assert len(done.stdout.splitlines()) == 13
    assert "Traceback" not in done.stderr
    assert TOKEN not in done.stdout + done.stderr


# --- the client's retries ----------------------------------------------------------------------


def client(github: GitHubServer, **options: Any) -> GitHub:
    return GitHub(github.url, TOKEN, **{"attempts": 3, "backoff": 0.01, **options})


def test_retries_are_bounded(github: GitHubServer) -> None:
    github.on("GET", "/x", Reply(502, {"message": "Bad Gateway"}))
    with client(github) as gh, pytest.raises(GitHubError) as caught:
        gh.get("/x")
    assert str(caught.value) == ("GET /x: 502 Bad Gateway: still failing after 3 attempts"
                                 " (Bad Gateway)")
    assert len(github.seen) == 3


def test_rate_limit_reset_is_waited_for(github: GitHubServer) -> None:
    reset = str(int(time.time()) + 1)
    github.on("GET", "/x", Reply(403, {"message": "API rate limit exceeded for user ID 1."},
                                 {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}),
              Reply(200, {"ok": True}))
    started = time.monotonic()
    with client(github) as gh:
        assert gh.get("/x") == {"ok": True}
    assert time.monotonic() - started >= 0.9
    assert len(github.seen) == 2


def test_a_long_rate_limit_fails_at_once(github: GitHubServer) -> None:
    reset = str(int(time.time()) + 3600)
    github.on("GET", "/x", Reply(429, {"message": "secondary rate limit"},
                                 {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}))
    started = time.monotonic()
    with client(github) as gh, pytest.raises(GitHubError) as caught:
        gh.get("/x")
    assert time.monotonic() - started < 5
    assert str(caught.value).startswith("GET /x: 429 rate limited by GitHub for 360")
    assert caught.value.hint.startswith("try again after ")
    assert len(github.seen) == 1


def test_post_is_not_retried_on_a_server_error(github: GitHubServer) -> None:
    github.on("POST", "/x", Reply(500, {"message": "boom"}))
    with client(github) as gh, pytest.raises(GitHubError):
        gh.send("POST", "/x", {"a": 1}, READ_METADATA)
    assert len(github.seen) == 1


def test_the_token_stays_on_the_api_origin(github: GitHubServer) -> None:
    github.on("GET", "/list", Reply(200, [1], {
        "Link": '<http://127.0.0.2:1/list?page=2>; rel="next"'}))
    with client(github) as gh, pytest.raises(GitHubError) as caught:
        gh.get_all("/list")
    assert "next-page link leaves" in str(caught.value)
    with pytest.raises(PipelinegenError, match="plain http"):
        GitHub("http://api.example.com", TOKEN)


def test_an_answer_that_is_not_json_is_a_clear_error(github: GitHubServer) -> None:
    github.on("GET", "/x", Reply(200, "<html>sign in</html>"))
    with client(github) as gh, pytest.raises(GitHubError) as caught:
        gh.get("/x")
    assert str(caught.value) == "GET /x: the answer is not JSON (text/html)"


def test_no_answer_is_a_clear_error(github: GitHubServer) -> None:
    url = github.url
    github.httpd.shutdown()
    github.httpd.server_close()
    with GitHub(url, TOKEN, attempts=2, backoff=0.01) as gh, \
            pytest.raises(GitHubError) as caught:
        gh.get("/x")
    assert str(caught.value) == f"GET /x: no answer from {url} (ConnectError)"


# --- apply -------------------------------------------------------------------------------------


def apply(capsys: pytest.CaptureFixture[str], github: GitHubServer, repo: Path,
          *extra: str) -> tuple[int, str, str]:
    return run(capsys, "branch-protection", "apply", "--file", str(repo), "--api-url",
               github.url, *extra)


def test_apply_updates_the_ruleset_found_by_name_across_pages(
        capsys: pytest.CaptureFixture[str], github: GitHubServer, repo: Path) -> None:
    listing = f"{REPO}/rulesets?per_page=100&includes_parents=false"
    github.on("GET", listing, Reply(200, [{"id": 3, "name": "other", "source_type": "Repository"}],
                                    {"Link": f'<{{base}}{listing}&page=2>; rel="next"'}))
    github.on("GET", f"{listing}&page=2", Reply(200, [
        {"id": 77, "name": ruleset.NAME, "source_type": "Repository"}]))
    github.on("PUT", f"{REPO}/rulesets/77", Reply(200, {"id": 77}))
    code, out, _ = apply(capsys, github, repo)
    assert (code, out) == (0, "updated ruleset 'pipelinegen-branch-protection' (#77) in"
                              " acme/demo\n")
    assert [s.method for s in github.seen] == ["GET", "GET", "PUT"]
    sent = github.seen[-1]
    assert (sent.path, sent.body) == (f"{REPO}/rulesets/77",
                                      ruleset.ruleset(model_of(services_yaml()).project))
    assert sent.headers["Content-Type"] == "application/json"


def test_apply_creates_the_ruleset_when_none_has_its_name(
        capsys: pytest.CaptureFixture[str], github: GitHubServer, repo: Path) -> None:
    github.on("GET", f"{REPO}/rulesets", Reply(200, [
        {"id": 5, "name": ruleset.NAME, "source_type": "Organization"}]))
    github.on("POST", f"{REPO}/rulesets", Reply(201, {"id": 78}))
    code, out, _ = apply(capsys, github, repo)
    assert (code, out) == (0, "created ruleset 'pipelinegen-branch-protection' (#78) in"
                              " acme/demo\n")
    sent = github.seen[-1]
    assert (sent.method, sent.path) == ("POST", f"{REPO}/rulesets")
    assert sent.body == ruleset.ruleset(model_of(services_yaml()).project)


def test_apply_dry_run_sends_nothing(capsys: pytest.CaptureFixture[str], github: GitHubServer,
                                     repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")  # not needed to print the request
    code, out, _ = apply(capsys, github, repo, "--dry-run")
    assert code == 0
    assert github.seen == []
    head, body = out.split("\n{", 1)
    assert head.splitlines() == [
        f"dry run, nothing sent; apply would send to {github.url}:",
        f"POST {REPO}/rulesets",
        f"(PUT {REPO}/rulesets/<id> instead if a ruleset named"
        " 'pipelinegen-branch-protection' exists)",
    ]
    assert json.loads("{" + body) == ruleset.ruleset(model_of(services_yaml()).project)


def test_apply_without_permission_names_it(capsys: pytest.CaptureFixture[str],
                                           github: GitHubServer, repo: Path) -> None:
    github.on("GET", f"{REPO}/rulesets", Reply(200, []))
    github.on("POST", f"{REPO}/rulesets", Reply(403, {"message": "Must have admin rights to"
                                                                 " Repository."}))
    code, _, err = apply(capsys, github, repo)
    assert code == 2
    assert err == (
        f"error: POST {REPO}/rulesets: 403 Forbidden: the token lacks permission (Must have"
        " admin rights to Repository.)\n"
        'hint: use a fine-grained token with the repository permission "Administration" (read'
        " and write), and admin access to the repository, or a classic token with the 'repo'"
        " scope\n")


def test_retry_after_is_honoured_over_a_short_backoff(github: GitHubServer) -> None:
    github.on("GET", "/x", Reply(503, {"message": "busy"}, {"Retry-After": "1"}),
              Reply(200, {"ok": True}))
    started = time.monotonic()
    with client(github) as gh:  # backoff 0.01 s: only Retry-After explains a 1 s wait
        assert gh.get("/x") == {"ok": True}
    assert time.monotonic() - started >= 1.0
    assert len(github.seen) == 2
