"""validate rule service-files: a service's directory, shared paths and stack files exist."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.cli import RunCli
from tests.support.paths import CASES


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_the_bundled_example_has_every_file(example_repo: Path, run_cli: RunCli) -> None:
    source = example_repo / "services.yaml"
    result = run_cli("validate", "--rule", "service-files", "--file", source)
    assert result.exit_code == 0, result.output
    assert "1 of 1 rule(s) passed cleanly" in result.output


def test_missing_stack_files_and_shared_paths_are_located(
    example_repo: Path, run_cli: RunCli
) -> None:
    (example_repo / "services/web/package-lock.json").unlink()
    shutil.rmtree(example_repo / "packages/printcore")
    shutil.rmtree(example_repo / "services/docs/public")
    source = example_repo / "services.yaml"
    result = run_cli("validate", "--rule", "service-files", "--format", "text", "--file", source)
    assert result.exit_code == 1
    out = result.output
    web = _line_of(source, "stack: node")
    assert (f"services.yaml:{web}:12: [error] service-files: services.web: stack node needs"
            " services/web/package-lock.json, which does not exist") in out
    docs = _line_of(source, "stack: static")
    assert f"services.yaml:{docs}:12: [error] service-files: services.docs: stack static needs" \
           " services/docs/public/" in out
    api = _line_of(source, "depends_on: [packages/printcore]")  # api's, the first of two
    assert (f"services.yaml:{api}:18: [error] service-files: services.api: the shared path"
            " packages/printcore does not exist") in out
    assert out.count("[error] service-files:") == 4  # api and worker share the package


def test_a_missing_service_directory_and_own_dockerfile(tmp_path: Path, run_cli: RunCli) -> None:
    shutil.copy(CASES / "all-stacks/services.yaml", tmp_path / "services.yaml")
    for app in ("orders", "shop", "thumbnails", "help", "billing", "routes", "receipts"):
        (tmp_path / "apps" / app).mkdir(parents=True)
    for lib in ("money", "geo"):
        (tmp_path / "libs" / lib).mkdir(parents=True)
    for needed in ("orders/requirements.txt", "shop/package.json", "shop/package-lock.json",
                   "thumbnails/go.mod", "billing/build.gradle", "routes/Cargo.toml",
                   "routes/Cargo.lock", "receipts/receipts.csproj"):
        (tmp_path / "apps" / needed).write_text("")
    (tmp_path / "apps/help/public").mkdir()
    (tmp_path / "apps/thumbnails/fonts").mkdir()  # the runtime files
    for runtime_dir in ("orders/data", "billing/templates", "routes/maps"):
        (tmp_path / "apps" / runtime_dir).mkdir()
    for runtime_file in ("orders/data/rates.json", "thumbnails/config.json", "help/redirects.txt",
                         "billing/rates.csv", "receipts/appsettings.Production.json"):
        (tmp_path / "apps" / runtime_file).write_text("")
    result = run_cli("validate", "--rule", "service-files", "--format", "text",
                     "--file", tmp_path / "services.yaml")
    assert result.exit_code == 1
    line = _line_of(tmp_path / "services.yaml", "path: apps/legacy")
    assert (f"services.yaml:{line}:11: [error] service-files: services.legacy: the service"
            " directory apps/legacy/ does not exist") in result.output
    assert result.output.count("[error]") == 1


def test_runtime_files_are_checked_on_disk_with_their_position(
        example_repo: Path, run_cli: RunCli, tmp_path: Path) -> None:
    source = example_repo / "services.yaml"
    result = run_cli("validate", "--rule", "service-files", "--file", source)
    assert result.exit_code == 0, result.output  # the renderer's templates/ is there
    templates = example_repo / "services/renderer/templates"
    shutil.rmtree(templates)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    templates.symlink_to(outside)  # a link out of the service's directory
    text = source.read_text().replace("files: [templates/]", "files: [templates/, main.go/, x]")
    source.write_text(text)
    result = run_cli("validate", "--rule", "service-files", "--format", "text", "--file", source)
    assert result.exit_code == 1
    line = _line_of(source, "files: [templates/, main.go/, x]")
    out = result.output
    assert (f"services.yaml:{line}:15: [error] service-files: services.renderer: runtime file"
            " services/renderer/templates/ leads outside services/renderer/") in out
    assert f"services.yaml:{line}:27: [error] service-files: services.renderer: runtime file" \
           " services/renderer/main.go/ is not a directory" in out
    assert f"services.yaml:{line}:37: [error] service-files: services.renderer: runtime file" \
           " services/renderer/x does not exist" in out


def test_a_named_build_tool_asks_for_its_own_build_file(
    example_repo: Path, run_cli: RunCli
) -> None:
    """The ledger's pom.xml satisfies the java stack, not a build_tool of gradle."""
    source = example_repo / "services.yaml"
    text = source.read_text()
    assert "    build_tool: maven\n" in text
    source.write_text(text.replace("    build_tool: maven\n", "    build_tool: gradle\n", 1))
    result = run_cli("validate", "--rule", "service-files", "--format", "text", "--file", source)
    assert result.exit_code == 1
    line = _line_of(source, "build_tool: gradle")
    assert (f"services.yaml:{line}:17: [error] service-files: services.ledger: build_tool gradle"
            " needs services/ledger/build.gradle or build.gradle.kts, which does not exist"
            ) in result.output
    assert result.output.count("[error] service-files:") == 1
