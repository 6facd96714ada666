"""Input that would break out of its place in the generated files is refused at load time:
control characters and line separators, unsafe services-file names, CODEOWNERS owners GitHub
would misread, credentials written as literal values, service paths that leave the repository."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from pipelinegen import load
from pipelinegen.emit import codeowners
from pipelinegen.errors import InputError
from pipelinegen.inputs import Inputs
from pipelinegen.model import Model
from tests.support.cli import RunCli
from tests.support.paths import MINIMAL

BASE = MINIMAL.read_text()


def _problems(text: str) -> list[str]:
    with pytest.raises(InputError) as raised:
        load.loads(text.encode(), "services.yaml")
    return [f"{p.line}:{p.col} {p.message} | {p.hint}" for p in raised.value.problems]


def _api(extra: str) -> str:
    return BASE.replace("    port: 8080\n", f"    port: 8080\n{extra}")


# --- control characters and line breaks ----------------------------------------------------

@pytest.mark.parametrize(("text", "where", "named"), [
    (_api('    command: ["a\u0085b"]\n'), "22:17", "the file contains U+0085 (NEL)"),
    (_api("    command: [a\u2028b]\n"), "22:16", "the file contains U+2028 (LINE SEPARATOR)"),
    (_api("    command: [a\u2029b]\n"), "22:16", "U+2029 (PARAGRAPH SEPARATOR)"),
    (_api("    command: [a\x1bb]\n"), "22:16", "the file contains U+001B (escape)"),
    (_api('    command: ["a\\x85b"]\n'), "22:15", "services.api.command[0]: contains U+0085"),
    (_api('    command: ["a\\u2028b"]\n'), "22:15", "command[0]: contains U+2028"),
    (_api('    deploy: {env: {A: "x\\Ny"}}\n'), "22:23", "deploy.env.A: contains U+0085"),
    (_api('    deploy: {env: {A: "x\\ty"}}\n'), "22:23", "deploy.env.A: contains U+0009 (tab)"),
    (_api('    deploy: {env: {"A\\N": b}}\n'), "22:20", "the key: contains U+0085"),
    (_api('    owners: ["@a\\Lb"]\n'), "22:14", "owners[0]: contains U+2028"),
    (_api('    test: ["x\\u0090"]\n'), "22:12", "test[0]: contains U+0090"),
    (BASE.replace("name: shop", 'name: "shop\\P"'), "4:9", "project.name: contains U+2029"),
])
def test_control_characters_and_line_separators_are_refused(text: str, where: str,
                                                            named: str) -> None:
    found = _problems(text)
    assert any(p.startswith(f"{where} ") and named in p for p in found), found
    assert all("read differently | remove it: keep the text on one line" in p for p in found)


def test_the_model_itself_refuses_them_whoever_builds_it() -> None:
    data = load.loads(MINIMAL.read_bytes(), "services.yaml").model_dump()
    for value in ("x\u0085y", "x\u2028y", "x\x07y"):
        data["services"]["api"]["deploy"]["env"] = {"A": value}
        with pytest.raises(ValidationError, match=r"env\.A"):
            Model.model_validate(data)
    data["services"]["api"]["deploy"]["env"] = {"A\u2029": "b"}
    with pytest.raises(ValidationError):
        Model.model_validate(data)


# --- the services file's name --------------------------------------------------------------

@pytest.mark.parametrize("name", ["x;touch pwned.yaml", "a b.yaml", "svc$(id).yaml",
                                  "${{ github.token }}.yaml", "a\nb.yaml", "`id`.yaml",
                                  "-rf.yaml", "ci/.hidden.yaml", "s\u0085.yaml"])
def test_an_unsafe_services_file_name_is_refused(tmp_path: Path, run_cli: RunCli,
                                                 name: str) -> None:
    source = tmp_path / name
    source.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(MINIMAL, source)
    for command in ("generate", "check", "diff"):
        result = run_cli(command, "--file", source, "--root", tmp_path)
        assert result.exit_code == 2, result.output
        assert f"error: the services file {name!r} has a name pipelinegen cannot write" in (
            result.stderr)
        assert "hint: rename it" in result.stderr
    assert not (tmp_path / "generated").exists()
    assert not (tmp_path / ".github").exists()


def test_a_safe_services_file_name_reaches_the_run_lines(tmp_path: Path,
                                                         run_cli: RunCli) -> None:
    (tmp_path / "ci").mkdir()
    shutil.copy(MINIMAL, tmp_path / "ci/services-v2.yaml")
    result = run_cli("generate", "--file", tmp_path / "ci/services-v2.yaml", "--root", tmp_path)
    assert result.exit_code == 0, result.output
    review = (tmp_path / ".github/workflows/pipelinegen.yml").read_text()
    assert "pipelinegen check --file ci/services-v2.yaml" in review


# --- CODEOWNERS owners ---------------------------------------------------------------------

@pytest.mark.parametrize("owner", ["a#b@example.com", "@org/team#x", "a b@example.com",
                                   "@-user", "@a--b", "@org/", "a@b", "a@@b.com", "@a\tb",
                                   "x@example.com#", "@user@example.com"])
def test_an_owner_github_would_misread_is_refused(owner: str) -> None:
    found = _problems(_api(f"    owners: [{owner!r}]\n".replace("'", '"')))
    assert any(p.startswith("22:14 ") for p in found), found


def test_valid_owners_are_written_as_given() -> None:
    owners = ["@octocat", "@acme/platform-team", "dev.ops+alerts@mail.example.com"]
    model = load.loads(_api(f"    owners: {owners}\n".replace("'", '"')).encode(), "s.yaml")
    text = codeowners.emit(Inputs(model, "services.yaml"))[".github/CODEOWNERS"]
    assert f"/services/api/ {' '.join(sorted(owners))}\n" in text


# --- credentials as literal values ---------------------------------------------------------

@pytest.mark.parametrize("key", ["DB_PASSWORD", "GITHUB_TOKEN", "API_KEY", "stripe_secret_key",
                                 "AWS_SECRET_ACCESS_KEY", "PRIVATE_KEY", "SMTP_PASSWD",
                                 "OAUTH_CLIENT_SECRET", "GPG_PASSPHRASE", "APIKEY"])
def test_a_literal_credential_under_env_is_refused(key: str) -> None:
    found = _problems(_api(f"    deploy:\n      env: {{{key}: hunter2}}\n"))
    assert found == [  # at the value, which is what must move
        f"23:{13 + len(key) + 2} services.api.deploy.env.{key}: {key} looks like a credential,"
        " and a literal value under env is written into the Helm values files | move it under"
        f" secrets ({key}: {{secret: <name>, key: <key>}}); if it is not secret, add {key} to"
        " services.api.deploy.public_env"]


def test_a_literal_credential_in_an_environment_override_is_refused() -> None:
    found = _problems(_api("    environments:\n      production: {env: {DB_PASSWORD: x}}\n"))
    assert len(found) == 1
    assert found[0].startswith("23:39 services.api.environments.production.env.DB_PASSWORD:")


def test_public_env_lets_a_non_secret_keep_its_literal_value() -> None:
    model = load.loads(_api(
        "    deploy:\n      env: {TOKEN_URL: https://auth.example.com/token, PORT: '1'}\n"
        "      public_env: [TOKEN_URL]\n"
        "      secrets: {DB_PASSWORD: {secret: db, key: password}}\n").encode(), "s.yaml")
    assert model.services["api"].deploy.env["TOKEN_URL"] == "https://auth.example.com/token"


# --- service paths through symbolic links --------------------------------------------------

@pytest.mark.parametrize("field", ["path", "depends_on"])
def test_a_service_path_leading_out_through_a_link_is_refused(
        tmp_path: Path, run_cli: RunCli, field: str) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / "services").mkdir(parents=True)
    outside.mkdir()
    (outside / "requirements.txt").write_text("")
    (repo / "services/worker").mkdir()
    (repo / "services/worker/requirements.txt").write_text("")
    text = BASE
    if field == "path":
        (repo / "services/api").symlink_to(outside)
        where = "19:11"
    else:
        (repo / "services/api").mkdir()
        (repo / "services/api/requirements.txt").write_text("")
        (repo / "packages").mkdir()
        (repo / "packages/shared").symlink_to(outside)
        text = _api("    depends_on: [packages/shared]\n")
        where = "22:18"
    (repo / "services.yaml").write_text(text)
    for command in ("generate", "validate", "check"):
        result = run_cli(command, "--file", repo / "services.yaml")
        assert result.exit_code == 2, (command, result.output)
        assert f"services.yaml:{where}: [error] input:" in result.stderr
        assert "leads outside the repository through a symbolic link" in result.stderr
    assert sorted(p.name for p in repo.iterdir()) == sorted(
        ["services", "services.yaml"] + (["packages"] if field == "depends_on" else []))


def test_a_link_that_stays_inside_the_repository_is_fine(tmp_path: Path,
                                                         run_cli: RunCli) -> None:
    (tmp_path / "real/api").mkdir(parents=True)
    (tmp_path / "services").mkdir()
    (tmp_path / "services/api").symlink_to(tmp_path / "real/api")
    shutil.copy(MINIMAL, tmp_path / "services.yaml")
    assert run_cli("generate", "--file", tmp_path / "services.yaml").exit_code == 0



def test_the_vulnerability_settings_refuse_them_too() -> None:
    """They share the model's strict base (as the cost settings do): free text such as an
    exception's reason gets the same check as every other string of the model."""
    data = load.loads(MINIMAL.read_bytes(), "services.yaml").model_dump()
    data["project"]["vulnerabilities"]["exceptions"] = [{
        "id": "CVE-2026-12345", "service": "api", "reason": "accepted risk\u0085 until the fix",
        "owner": "@acme/api", "expires": "2027-01-01"}]
    with pytest.raises(ValidationError, match=r"U\+0085"):
        Model.model_validate(data)
