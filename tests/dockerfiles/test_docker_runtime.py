"""Runtime files, the working directory and OS packages in the generated Dockerfiles: where each
lands in which stage, and hadolint's verdict on every shape (the all-stacks case declares them
for every stack)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from pipelinegen.workspace import Workspace
from tests.support.cli import RunCli
from tests.support.demo import REPO
from tests.support.dockerfiles import instructions
from tests.support.paths import CASES
from tests.support.tools import hadolint

CASE = CASES / "all-stacks/services.yaml"
WS = Workspace.locate(CASE, CASE.parent)
FILES = {path: data.decode() for path, data in WS.plan.outputs.items()}
BUILT = sorted(name for name, s in WS.model.services.items() if s.stack != "dockerfile")


def stages(service: str, files: dict[str, str] = FILES) -> tuple[list[str], list[str]]:
    """(build stage, runtime stage) instructions of a service's Dockerfile."""
    lines = instructions(files[f"generated/docker/{service}.Dockerfile"])
    split = next(i for i, line in enumerate(lines) if line.endswith(" AS runtime"))
    return lines[:split], lines[split:]


def test_build_packages_go_to_the_build_stage_only() -> None:
    build, runtime = stages("shop")
    assert any("apt-get install -y --no-install-recommends make g++" in line for line in build)
    assert not any("g++" in line for line in runtime)


def test_runtime_packages_come_first_in_the_runtime_stage_and_leave_no_lists() -> None:
    _, runtime = stages("orders")
    install = next(i for i, line in enumerate(runtime) if "apt-get install" in line)
    assert install == 1  # right after FROM: the slowest layer changes least
    assert "ca-certificates tzdata" in runtime[install]
    assert runtime[install].endswith("&& rm -rf /var/lib/apt/lists/*")
    user = next(i for i, line in enumerate(runtime) if line.startswith("USER "))
    assert install < user  # installed as root, run as the numeric user


def test_the_dl3008_ignore_is_written_only_for_unpinned_packages() -> None:
    orders = FILES["generated/docker/orders.Dockerfile"]
    shop = FILES["generated/docker/shop.Dockerfile"]
    assert orders.count("# hadolint ignore=DL3008") == 1
    # shop: unpinned build packages (one ignore), a pinned runtime package (none).
    assert shop.count("# hadolint ignore=DL3008") == 1
    runtime = shop[shop.index(" AS runtime"):]
    assert "libvips42=8.14.1-3+deb12u1" in runtime and "hadolint ignore" not in runtime


def test_runtime_files_land_under_the_workdir_at_their_relative_paths() -> None:
    _, go = stages("thumbnails")
    assert "WORKDIR /app" in go
    assert "COPY apps/thumbnails/fonts/ /app/fonts/" in go
    assert "COPY apps/thumbnails/config.json /app/config.json" in go
    _, static = stages("help")
    assert "WORKDIR /srv" in static and "COPY apps/help/redirects.txt /srv/redirects.txt" in static
    _, python = stages("orders")
    assert "WORKDIR /srv/orders" in python
    assert "COPY apps/orders/data/rates.json /srv/orders/data/rates.json" in python
    # Run elsewhere than its code: `python -m orders` finds it on PYTHONPATH.
    env = next(line for line in python if "PYTHONPATH=" in line)
    assert "/app/apps/orders" in env.split("PYTHONPATH=")[1].split(":")
    # Copied files keep root ownership: the non-root process cannot change them.
    assert not any(line.startswith("COPY --chown") for name in BUILT for line in stages(name)[1])


def workdir(runtime: list[str]) -> str:
    """The working directory the image runs in: the runtime stage's last WORKDIR."""
    return [line for line in runtime if line.startswith("WORKDIR ")][-1].split(" ", 1)[1]


def test_java_runs_its_jar_from_app_in_the_working_directory_it_is_given() -> None:
    build, runtime = stages("billing")
    assert "apt-get install -y --no-install-recommends unzip" in build[1]  # first in the stage
    assert not any("unzip" in line for line in runtime)
    assert "apt-get install -y --no-install-recommends fontconfig" in runtime[1]
    assert workdir(runtime) == "/srv/billing"  # the stack's lines never set it back to /app
    assert "COPY apps/billing/templates/ /srv/billing/templates/" in runtime
    assert "COPY apps/billing/rates.csv /srv/billing/rates.csv" in runtime
    layers = [line for line in runtime if line.startswith("COPY --from=build /out/app/")]
    assert layers and all(line.endswith(" /app/") for line in layers)
    assert runtime[-1] == 'CMD ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]'


def test_rust_and_dotnet_copy_runtime_files_beside_their_app_in_app() -> None:
    build, runtime = stages("routes")
    assert "apt-get install -y --no-install-recommends protobuf-compiler" in build[1]
    assert workdir(runtime) == "/app" and "COPY apps/routes/maps/ /app/maps/" in runtime
    assert not any("apt-get" in line for line in runtime)  # distroless: refused, never written
    _, runtime = stages("receipts")
    # ASP.NET reads appsettings.*.json from its content root, the working directory.
    assert workdir(runtime) == "/app"
    assert ("COPY apps/receipts/appsettings.Production.json"
            " /app/appsettings.Production.json") in runtime
    assert "COPY --from=build /out/app /app/" in runtime


def test_java_and_dotnet_images_run_in_app_without_runtime_settings() -> None:
    outputs = Workspace.locate(REPO / "services.yaml", None).plan.outputs
    bundled = {path: data.decode() for path, data in outputs.items()}
    for service in ("ledger", "invoices"):
        _, runtime = stages(service, bundled)
        assert workdir(runtime) == "/app" and runtime.count("WORKDIR /app") == 1


def test_without_runtime_settings_a_go_image_has_no_workdir() -> None:
    model = Workspace.locate(REPO / "services.yaml", None)
    text = model.plan.outputs["generated/docker/docs.Dockerfile"].decode()
    assert "WORKDIR" not in text


def test_hadolint_reports_nothing_and_would_flag_the_unpinned_install(tmp_path: Path) -> None:
    paths = []
    for service in BUILT:
        path = tmp_path / f"{service}.Dockerfile"
        path.write_text(FILES[f"generated/docker/{service}.Dockerfile"])
        paths.append(str(path))
    config = str(REPO / ".hadolint.yaml")
    done = subprocess.run([hadolint(), "--config", config, "--format", "json", *paths],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and json.loads(done.stdout) == [], done.stdout + done.stderr
    # The ignore is what keeps DL3008 quiet, and only DL3008: without it hadolint says so.
    bare = tmp_path / "bare.Dockerfile"
    bare.write_text(re.sub(r"# hadolint ignore=DL3008\n", "",
                           FILES["generated/docker/orders.Dockerfile"]))
    done = subprocess.run([hadolint(), "--config", config, "--format", "json", str(bare)],
                          capture_output=True, text=True, check=False)
    assert {finding["code"] for finding in json.loads(done.stdout)} == {"DL3008"}


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.mark.parametrize(("stack_line", "field", "holds"), [
    ("stack: go", "packages: {runtime: [tzdata]}", "distroless static holds CA certificates"),
    ("stack: static", "packages: {runtime: [ca-certificates]}",
     "distroless static holds CA certificates"),
    ("stack: rust", "packages: {runtime: [libssl3]}", "distroless cc holds CA certificates,"
                                                      " tzdata, glibc"),
    ("stack: dotnet", "packages: {runtime: [libicu74]}",
     "the chiseled ASP.NET image holds CA certificates, glibc")])
def test_runtime_packages_are_refused_on_distroless(
        example_repo: Path, run_cli: RunCli, stack_line: str, field: str, holds: str) -> None:
    source = example_repo / "services.yaml"
    text = source.read_text().replace(f"    {stack_line}\n", f"    {stack_line}\n    {field}\n",
                                      1)
    source.write_text(text)
    result = run_cli("generate", "--file", source)
    assert result.exit_code == 2
    line = _line_of(source, field)
    assert f"services.yaml:{line}:" in result.stderr
    assert "runtime image has no package manager (distroless or chiseled)" in result.stderr
    assert f"hint: remove packages.runtime: {holds}" in " ".join(result.stderr.split())
    assert "Traceback" not in result.output
