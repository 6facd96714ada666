"""`pipelinegen init` on repositories the tests build: its guesses, and that what it writes loads,
pins against the local registry, generates and passes every rule of `pipelinegen validate`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelinegen.core import load
from pipelinegen.core.model import Model
from tests.support import bases, init_repos, registry
from tests.support.cli import RunCli
from tests.support.paths import REPO

MIRROR = f"{bases.REGISTRY}/pipelinegen-init"
BASE_NAMES = ("python", "node", "go", "static", "jdk", "jre", "rust", "cc", "dotnet-sdk", "aspnet",
              "helm-test")


@pytest.fixture(scope="module")
def mirror() -> dict[str, str]:
    """Tiny images on the local registry standing in for the official bases (nothing can be
    pulled here); `pipelinegen pin` resolves them like any registry's."""
    return {name: f"{MIRROR}/{name}:v1@{registry.push_index(bases.REGISTRY, f'pipelinegen-init/{name}', 'v1', ['linux/amd64'])}"  # noqa: E501
            for name in BASE_NAMES}


def init_and_build(run_cli: RunCli, root: Path, *adopt: str) -> Model:
    """init (bases from the mirror), then pin, generate (adopting the files given) and validate
    must all succeed."""
    options = [arg for name in BASE_NAMES for arg in ("--base", f"{name}={MIRROR}/{name}:v1")]
    result = run_cli("init", root, *options)
    assert result.exit_code == 0, result.output
    model = load.load(root / "services.yaml")
    adopting = [arg for path in adopt for arg in ("--adopt", path)]
    for command in (("pin",), ("generate", *adopting), ("validate",)):
        done = run_cli(*command, "--file", root / "services.yaml")
        assert done.exit_code == 0, f"{command}: {done.output}"
    assert "rule(s) passed cleanly" in done.output
    return model


def comment(root: Path, service: str, key: str) -> str:
    """The comment init wrote on a service's key line."""
    lines = (root / "services.yaml").read_text().splitlines()
    start = lines.index(f"  {service}:")
    for line in lines[start + 1:]:
        if line.startswith(f"    {key}:"):
            return line.partition(" # ")[2]
        if not line.startswith("    "):
            break
    raise AssertionError(f"no {key} under {service}")


def test_every_stack(run_cli: RunCli, tmp_path: Path, mirror: dict[str, str]) -> None:
    root = init_repos.every_stack(tmp_path / "shop", mirror["static"])
    model = init_and_build(run_cli, root, ".github/CODEOWNERS")
    project = model.project
    assert (project.name, project.repository, project.default_branch, project.registry) == (
        "shop", "acme/Shop", "trunk", "ghcr.io/acme")
    assert project.owners == ["@acme/platform"]
    assert {n: s.stack for n, s in model.services.items()} == {
        "orders": "python", "shop": "node", "router": "go", "site": "static",
        "ledger": "java", "pay": "dotnet", "resize": "rust"}
    orders, shop, router = (model.services[n] for n in ("orders", "shop", "router"))
    assert (orders.version, orders.port, orders.health) == ("3.11", 8001, "/health")
    assert orders.command == ["python", "-m", "orders"]
    assert orders.test == ["python", "-m", "pytest"]
    assert orders.owners == ["@acme/orders"]
    assert (shop.version, shop.port, shop.health, shop.test) == ("20", 4000, "/livez",
                                                               ["node", "--test"])
    assert shop.command == ["node", "server.js"] and shop.owners == ["@acme/web", "@jane"]
    assert (router.version, router.port, router.test) == ("1.22", 7070, ["go", "test", "./..."])
    ledger, pay, resize = (model.services[n] for n in ("ledger", "pay", "resize"))
    assert (ledger.version, ledger.port, ledger.health, ledger.test) == (
        "21", 9090, "/actuator/health", ["mvn", "--batch-mode", "test"])
    assert (pay.version, pay.port, pay.test) == ("8.0", 5000, ["dotnet", "test"])
    assert (resize.version, resize.port, resize.test) == ("1.70", 8080, ["cargo", "test"])
    assert (root / "generated/docker/ledger.Dockerfile").is_file()  # theirs was read for hints
    assert comment(root, "orders", "port") == "services/orders/orders/__main__.py:13 listens on it"
    assert comment(root, "orders", "owners") == ".github/CODEOWNERS line 2"
    assert comment(root, "router", "version") == "the go directive in services/router/go.mod"
    assert comment(root, "ledger", "stack") == "from services/ledger/pom.xml"
    assert comment(root, "ledger", "version") == "the Java release in services/ledger/pom.xml"
    assert ledger.build_tool == "maven"
    assert comment(root, "ledger", "build_tool") == "services/ledger/pom.xml is Maven's"
    text = (root / "services.yaml").read_text()
    assert "Note: gRPC: services/router/api/router.proto defines its API" in text
    owners = (root / ".github/CODEOWNERS").read_text()
    assert ("# --- kept: the repository's own lines; pipelinegen generate leaves them as they are"
            " ---\n* @acme/platform\n/services/orders/ @acme/orders\n/services/shop/ @acme/web"
            " @jane\n# --- end of kept lines ---\n") in owners
    # The generated lines come after the kept ones, so they win where both match.
    assert owners.index("# --- end of kept lines ---") < owners.index(
        "/services/shop/ @acme/web @jane\n/services/site/ @acme/platform\n")
    assert "services/ledger/Dockerfile was read for hints" in text


def test_monorepo_shared_packages(run_cli: RunCli, tmp_path: Path,
                                  mirror: dict[str, str]) -> None:
    root = init_repos.monorepo(tmp_path / "mono")
    model = init_and_build(run_cli, root)
    assert sorted(model.services) == ["billing", "gateway", "refunds", "web"]
    assert model.services["web"].depends_on == ["packages/tokens", "packages/ui"]
    assert model.services["billing"].depends_on == ["libs/money"]
    assert model.services["refunds"].depends_on == ["libs/money"]
    assert model.services["gateway"].depends_on == ["libs/gokit"]
    assert model.services["web"].port == 3100
    assert comment(root, "billing", "depends_on") == "its code imports acme_money"
    assert comment(root, "web", "depends_on") == (
        "packages/ui/package.json requires @mono/tokens, needed by packages/ui;"
        " apps/web/package.json requires @mono/ui")
    text = (root / "services.yaml").read_text()
    assert "#   libs/money/: libs/money/pyproject.toml (no entry point)" in text
    assert "packages/unused/: a library (packages/unused/package.json (no entry point))" in text
    # No CODEOWNERS: the policy asks for what it can reach, and says why.
    assert model.project.branch_protection.minimum_tier == 3


def test_existing_dockerfiles_and_charts(run_cli: RunCli, tmp_path: Path,
                                         mirror: dict[str, str]) -> None:
    root = init_repos.deployed(tmp_path / "deployed", mirror["static"])
    before = {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}
    model = init_and_build(run_cli, root)
    # tools/Dockerfile.dev is a developer image, not a service; the root Dockerfile is tooling of
    # a repository with several projects.
    assert sorted(model.services) == ["billing", "legacy", "search"]
    assert model.services["billing"].port == 8200
    assert comment(root, "billing", "port") == "the port in charts/billing/values.yaml"
    assert model.services["search"].port == 8300
    assert comment(root, "search", "port") == (
        "containerPort of search in deploy/k8s/search.yaml")
    legacy = model.services["legacy"]
    assert (legacy.stack, legacy.port, legacy.health) == ("dockerfile", 8400, "/status")
    # The kept Dockerfile runs as 20000:20000, so the generated images do too.
    assert (model.project.defaults.uid, model.project.defaults.gid) == (20000, 20000)
    after = {path: path.read_bytes() for path in before}
    assert after == before, "init and generate must leave the repository's own files alone"


def test_the_bundled_example_is_found_again(run_cli: RunCli, tmp_path: Path) -> None:
    """Scanning the demo sources without their services.yaml finds what the bundled one says."""
    root = tmp_path / "printloop"
    for folder in ("services", "packages"):
        shutil.copytree(REPO / folder, root / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
    result = run_cli("init", root)
    assert result.exit_code == 0, result.output
    found = load.load(root / "services.yaml")
    bundled = load.load(REPO / "services.yaml")
    assert sorted(found.services) == sorted(bundled.services)
    for name, service in bundled.services.items():
        guess = found.services[name]
        # A worker without a port cannot be told from a server whose port is not in the code:
        # init guesses the stack's usual port for it, with a comment saying so.
        port = guess.port if service.port is not None else None
        assert (guess.path, guess.stack, port, guess.protocol, guess.health,
                guess.depends_on) == (service.path, service.stack, service.port,
                                      service.protocol, service.health, service.depends_on), name
        assert (guess.test, guess.build_tool) == (service.test, service.build_tool), name


def test_never_overwrites_and_dry_run_writes_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    root = init_repos.write(tmp_path, {"app/requirements.txt": "",
                                       "app/main.py": "serve(h, 8000)\n"})
    dry = run_cli("init", root, "--dry-run")
    assert dry.exit_code == 0 and "path: app # app/requirements.txt: it has app/main.py" in (
        dry.output)
    assert not (root / "services.yaml").exists()
    (root / "services.yaml").write_text("mine\n")
    refused = run_cli("init", root)
    assert refused.exit_code == 2
    assert "already exists; init never overwrites a file" in refused.output
    assert (root / "services.yaml").read_text() == "mine\n"
    elsewhere = run_cli("init", root, "--output", root / "first.yaml")
    assert elsewhere.exit_code == 0 and (root / "first.yaml").is_file()


def test_nothing_to_list_is_an_error_that_says_why(run_cli: RunCli, tmp_path: Path) -> None:
    root = init_repos.write(tmp_path, {"package.json": init_repos.package_json(
        "solo", scripts={"start": "node index.js"})})
    result = run_cli("init", root)
    assert result.exit_code == 2
    assert "no service found" in result.output
    assert "a service at the repository root" in result.output
    assert not (root / "services.yaml").exists()
    bad = run_cli("init", root, "--base", "python")
    assert bad.exit_code == 2 and "is not KEY=VALUE" in bad.output
    unknown = run_cli("init", root, "--base", "ruby=ruby:3")
    assert unknown.exit_code == 2
    assert ("--base takes one of: aspnet, cc, dotnet-sdk, go, helm-test, jdk, jre, node, python,"
            " rust, static") in unknown.output


def test_the_same_repository_gives_the_same_bytes(tmp_path: Path) -> None:
    root = init_repos.monorepo(tmp_path / "mono")
    outputs = {subprocess.run([sys.executable, "-m", "pipelinegen", "init", str(root),
                               "--dry-run"], env={**os.environ, "PYTHONHASHSEED": seed},
                              capture_output=True, check=True).stdout for seed in ("0", "1")}
    assert len(outputs) == 1
    assert b"  web:\n    path: apps/web" in outputs.pop()


def test_an_npm_test_script_gets_no_coverage_gate(run_cli: RunCli, tmp_path: Path) -> None:
    """CI's coverage gate wraps `node ...` commands only: a script run through npm is kept as
    `npm test` with min_coverage 0, so the services file init writes still loads."""
    root = init_repos.write(tmp_path / "shop", {
        "services/shop/package.json": init_repos.package_json(
            "shop", main="server.js", scripts={"start": "node server.js", "test": "jest"}),
        "services/shop/package-lock.json": init_repos.lock("shop"),
        "services/shop/server.js": init_repos.NODE_SERVER,
    })
    result = run_cli("init", root)
    assert result.exit_code == 0, result.output
    shop = load.load(root / "services.yaml").services["shop"]
    assert (shop.test, shop.min_coverage) == (["npm", "test"], 0)
    assert "coverage gate" in comment(root, "shop", "min_coverage")


def test_the_build_tool_is_the_one_the_java_build_script_runs(
        run_cli: RunCli, tmp_path: Path, mirror: dict[str, str]) -> None:
    """A Gradle-only service names gradle (Dependabot's gradle ecosystem follows); beside a
    pom.xml a build.gradle is not what the image builds with, so that service names maven."""
    main = "class App { public static void main(String[] a) {} }\n"
    root = init_repos.write(tmp_path / "shop", {
        "services/tally/build.gradle": "apply plugin: 'java'\nsourceCompatibility = '17'\n",
        "services/tally/gradlew": "#!/bin/sh\n",
        "services/tally/src/main/java/App.java": main,
        "services/both/pom.xml": "<project></project>\n",
        "services/both/build.gradle": "apply plugin: 'java'\n",
        "services/both/src/main/java/App.java": main,
    })
    model = init_and_build(run_cli, root)
    tally, both = model.services["tally"], model.services["both"]
    assert (tally.build_tool, tally.version, tally.test) == ("gradle", "17", ["./gradlew", "test"])
    assert comment(root, "tally", "build_tool") == "services/tally/build.gradle is Gradle's"
    assert (both.build_tool, both.test) == ("maven", ["mvn", "--batch-mode", "test"])
    assert comment(root, "both", "stack") == "from services/both/pom.xml"
    dependabot = (root / ".github/dependabot.yml").read_text()
    assert "package-ecosystem: gradle\n    directory: /services/tally\n" in dependabot
    assert "package-ecosystem: maven\n    directory: /services/both\n" in dependabot


def test_notes_name_the_files_a_stacks_image_needs(run_cli: RunCli, tmp_path: Path) -> None:
    """The notes come from each stack's own list of files its Dockerfile copies: a node service
    without its lock file, a rust one without Cargo.lock, a python one without requirements."""
    root = init_repos.write(tmp_path / "shop", {
        "services/shop/package.json": init_repos.package_json(
            "shop", scripts={"start": "node server.js"}),
        "services/shop/server.js": init_repos.NODE_SERVER,
        "services/resize/Cargo.toml": '[package]\nname = "resize"\n',
        "services/resize/src/main.rs": "fn main() {}\n",
        "services/orders/pyproject.toml": "[project]\nname = 'orders'\n",
        "services/orders/main.py": "serve(h, 8000)\n",
    })
    result = run_cli("init", root, "--dry-run")
    assert result.exit_code == 0, result.output
    for note in ("the node stack's image needs services/shop/package-lock.json: run `npm"
                 " install` there to write it, and commit it (in services/shop)",
                 "the rust stack's image needs services/resize/Cargo.lock: run `cargo"
                 " generate-lockfile` there, and commit it (in services/resize)",
                 "the python stack's image needs services/orders/requirements.txt: create it"):
        assert note in result.output, note


def test_the_lowest_ranked_manifest_decides_a_directory(run_cli: RunCli, tmp_path: Path) -> None:
    """A Go module that keeps a package.json for its tooling is a Go service, whatever the
    order the files are found in."""
    root = init_repos.write(tmp_path / "repo", {
        "services/api/package.json": init_repos.package_json("api-tools"),
        "services/api/go.mod": "module example.com/api\n\ngo 1.23\n",
        "services/api/main.go": "package main\n\nfunc main() {}\n",
    })
    result = run_cli("init", root, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "stack: go # from services/api/go.mod" in result.output
