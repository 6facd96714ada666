"""The files OpenSSF Scorecard looks for: CodeQL for the stacks present, Dependabot keeping
pins pinned, SECURITY.md. Dependabot's file is checked against its schema (check-jsonschema's
vendored copy); codeql.yml is linted with the other workflows (test_workflows_lint.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

from pipelinegen.emit import scorecard
from pipelinegen.generation.workspace import Workspace
from tests.support import workflow_models
from tests.support.gitrepo import REPO_ROOT
from tests.support.paths import CASES


def test_codeql_analyses_the_languages_of_the_stacks_present(tmp_path: Path) -> None:
    for files, expected in (
        (workflow_models.bundled(), ["actions", "csharp", "go", "java-kotlin",
                                     "javascript-typescript", "python", "rust"]),
        (workflow_models.variant(tmp_path), ["actions", "go"]),  # go and a dockerfile service
    ):
        flow = YAML(typ="safe").load(files[".github/workflows/codeql.yml"])
        include = flow["jobs"]["analyze"]["strategy"]["matrix"]["include"]
        assert [leg["language"] for leg in include] == expected
        assert {leg["language"]: leg["build-mode"] for leg in include}.get("go") == "autobuild"
        assert flow["jobs"]["analyze"]["permissions"] == {"contents": "read",
                                                          "security-events": "write"}
        uses = [s["uses"] for s in flow["jobs"]["analyze"]["steps"]]
        assert all("@" in u and len(u.split("@")[1]) == 40 for u in uses)


def test_dependabot_follows_the_services_and_passes_its_schema(tmp_path: Path) -> None:
    ws = Workspace.locate(REPO_ROOT / "services.yaml", REPO_ROOT)
    text = scorecard.dependabot(ws.inputs)
    config = YAML(typ="safe").load(text)
    ecosystems = {(u["package-ecosystem"], u["directory"]) for u in config["updates"]}
    assert ecosystems == {("github-actions", "/"), ("pip", "/services/api"),
                          ("pip", "/services/courier"), ("cargo", "/services/imposer"),
                          ("nuget", "/services/invoices"), ("maven", "/services/ledger"),
                          ("gomod", "/services/renderer"), ("pip", "/services/stock"),
                          ("npm", "/services/web"), ("pip", "/services/worker")}
    path = tmp_path / "dependabot.yml"
    path.write_text(text)
    checker = Path(sys.executable).parent / "check-jsonschema"
    done = subprocess.run([str(checker), "--builtin-schema", "vendor.dependabot", str(path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    path.write_text(text.replace("interval: weekly", "interval: hourly", 1))
    done = subprocess.run([str(checker), "--builtin-schema", "vendor.dependabot", str(path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1  # the schema really is consulted


def _billing_ecosystem(tmp_path: Path, build_tool: str | None) -> str:
    """The all-stacks case with its java service (billing) naming build_tool, or none."""
    text = (CASES / "all-stacks/services.yaml").read_text()
    line = "    build_tool: gradle"
    assert line in text
    named = f"    build_tool: {build_tool}" if build_tool else ""
    (tmp_path / "services.yaml").write_text(re.sub(rf"{line}[^\n]*\n", named and named + "\n",
                                                   text, count=1))
    ws = Workspace.locate(tmp_path / "services.yaml", tmp_path)
    text = scorecard.dependabot(ws.inputs)
    (tmp_path / "dependabot.yml").write_text(text)
    billing = [u for u in YAML(typ="safe").load(text)["updates"]
               if u["directory"] == "/apps/billing"]
    assert len(billing) == 1
    return str(billing[0]["package-ecosystem"])


def test_dependabot_watches_a_java_service_with_its_build_tools_ecosystem(
        tmp_path: Path) -> None:
    assert _billing_ecosystem(tmp_path, "gradle") == "gradle"
    checker = Path(sys.executable).parent / "check-jsonschema"
    done = subprocess.run([str(checker), "--builtin-schema", "vendor.dependabot",
                           str(tmp_path / "dependabot.yml")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _billing_ecosystem(tmp_path, "maven") == "maven"
    # Naming none keeps what a java service got before build_tool existed.
    assert _billing_ecosystem(tmp_path, None) == "maven"


def test_the_security_policy_names_the_private_reporting_route() -> None:
    ws = Workspace.locate(REPO_ROOT / "services.yaml", REPO_ROOT)
    text = scorecard.security_policy(ws.inputs)
    assert text.startswith("<!--\n") and "-->\n\n# Security policy" in text
    assert "https://github.com/printloop/platform/security/advisories/new" in text
