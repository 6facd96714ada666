"""The generated Dockerfiles of the bundled example: the contract lines, the layer order that
keeps dependency layers cached, the context they send, and hadolint's verdict."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipelinegen.emit.dockerfile import httpd_source
from pipelinegen.emit.header import header
from pipelinegen.stacks import grpcprobe
from pipelinegen.workspace import Workspace
from tests.support.demo import REPO
from tests.support.dockerfiles import instructions
from tests.support.tools import hadolint

WS = Workspace.locate(REPO / "services.yaml", None)
MODEL = WS.model
FILES = {path: data.decode() for path, data in WS.plan.outputs.items()}
BUILT = sorted(name for name, s in MODEL.services.items() if s.stack != "dockerfile")


def dockerfile(service: str) -> str:
    return FILES[f"generated/docker/{service}.Dockerfile"]


def test_every_built_stack_has_a_service_here() -> None:
    assert {MODEL.services[name].stack for name in BUILT} == {
        "python", "node", "go", "static", "java", "rust", "dotnet"}


@pytest.mark.parametrize("service", BUILT)
def test_contract_lines(service: str) -> None:
    spec = MODEL.services[service]
    text = dockerfile(service)
    lines = instructions(text)
    builder, runtime = spec.base_names()
    assert builder and runtime
    # A gRPC service's health probe has a stage of its own, on the Go base.
    probe = [f"FROM {MODEL.bases['go']} AS grpc-probe"] if spec.grpc else []
    assert [line for line in lines if line.startswith("FROM ")] == [
        f"FROM {MODEL.bases[builder]} AS build", *probe,
        f"FROM {MODEL.bases[runtime]} AS runtime"]
    runtime_stage = lines[lines.index(f"FROM {MODEL.bases[runtime]} AS runtime"):]
    assert "USER 10001:10001" in runtime_stage
    exposed = [line for line in runtime_stage if line.startswith("EXPOSE ")]
    assert exposed == ([f"EXPOSE {spec.port}"] if spec.port else [])
    health = next(line for line in runtime_stage if line.startswith("HEALTHCHECK "))
    argv = json.loads(health.split(" CMD ", 1)[1])
    if spec.port is None:  # a worker: its own health command
        assert argv == spec.health_command
    elif spec.grpc:
        assert argv == ["/usr/local/bin/pipelinegen-grpc-probe", "-addr",
                        f"127.0.0.1:{spec.port}", "-service", spec.health_service]
        assert ("COPY --from=grpc-probe /out/pipelinegen-grpc-probe"
                " /usr/local/bin/pipelinegen-grpc-probe") in runtime_stage
    else:
        assert argv[-1] == f"http://127.0.0.1:{spec.port}{spec.health}"
    assert "curl" not in health and "wget" not in health
    command = json.loads(runtime_stage[-1].removeprefix("CMD "))
    assert runtime_stage[-1].startswith("CMD [")
    if spec.command:
        assert command == spec.command
    elif spec.stack == "static":  # the shipped server, serving the site on the service's port
        assert command[:3] == ["/usr/local/bin/pipelinegen-httpd", "-root", "/srv/www"]
        assert f":{spec.port}" in command and spec.health in command
    else:  # the stack's own: the binary, jar or assembly named after the service
        assert command == DEFAULT_COMMANDS[spec.stack].format(name=service).split()
    for label in ("source", "revision", "version"):
        assert f'org.opencontainers.image.{label}="${{{label.upper()}}}"' in text
    assert not text.startswith("# syntax") and "# syntax=" not in text
    assert text.startswith(header("services.yaml"))


DEFAULT_COMMANDS = {"rust": "/app/{name}", "dotnet": "dotnet /app/{name}.dll",
                    "java": "java -XX:MaxRAMPercentage=75 -jar /app/app.jar"}


# The dependency manifest each stack copies, and the dependency step that must come before the
# service's source is copied.
MANIFESTS = {
    "python": ("/requirements.txt ./", "pip install"),
    "node": ("/package.json", "npm ci"),
    "go": ("/go.* ./", "go mod download"),
    "rust": ("/Cargo.toml", "cargo build --release --locked"),
    "dotnet": ("/*.csproj ./", "dotnet restore"),
}


@pytest.mark.parametrize("service", [s for s in BUILT if MODEL.services[s].stack in MANIFESTS])
def test_dependencies_are_installed_before_the_source_is_copied(service: str) -> None:
    spec = MODEL.services[service]
    lines = instructions(dockerfile(service))
    manifest, install = MANIFESTS[spec.stack]
    copy_manifest = next(i for i, line in enumerate(lines)
                         if line.startswith(f"COPY {spec.path}{manifest}"))
    run_install = next(i for i, line in enumerate(lines) if install in line)
    copy_source = [i for i, line in enumerate(lines) if line.startswith(f"COPY {spec.path}/ ")]
    assert copy_manifest < run_install < min(copy_source)
    assert "--mount=type=cache," in lines[run_install]


@pytest.mark.parametrize("service", BUILT)
def test_dockerignore_sends_only_what_the_image_needs(service: str) -> None:
    spec = MODEL.services[service]
    text = FILES[f"generated/docker/{service}.Dockerfile.dockerignore"]
    patterns = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert patterns[0] == "*"
    included = [p[1:] for p in patterns if p.startswith("!")]
    assert included == [spec.path, *spec.depends_on, *SHIPPED.get(spec.stack, ()),
                        *(["generated/docker/pipelinegen-grpc-probe.go"] if spec.grpc else [])]
    assert "**/node_modules" in patterns and "**/__pycache__" in patterns
    for output in BUILD_OUTPUT.get(spec.stack, ()):  # a local build's output stays out
        assert f"{spec.path}/{output}" in patterns


# The files pipelinegen ships into generated/docker/ for each stack's image, and the local build
# output its context leaves out.
SHIPPED = {stack: tuple(f"generated/docker/{name}" for name in names) for stack, names in {
    "go": ("pipelinegen-httpd.go",),
    "static": ("pipelinegen-httpd.go",),
    "java": ("PipelinegenProbe.java", "pipelinegen-java-build.sh"),
    "rust": ("pipelinegen-probe.rs",),
    "dotnet": ("pipelinegen-probe.cs", "pipelinegen-probe.csproj"),
}.items()}
BUILD_OUTPUT = {"java": ("target", "build"), "rust": ("target",), "dotnet": ("**/bin", "**/obj")}


def test_shipped_files_carry_a_header_where_their_language_allows_one() -> None:
    for path in {path for paths in SHIPPED.values() for path in paths}:
        text = FILES[path]
        if path.endswith(".csproj"):  # XML comments cannot hold the command's `--` options
            assert text.startswith("<Project ")
        else:
            assert text.startswith(header("services.yaml", "#" if path.endswith(".sh") else "//"))


def test_the_dotnet_runtime_listens_on_the_service_port_as_the_project_uid() -> None:
    service = next(name for name in BUILT if MODEL.services[name].stack == "dotnet")
    runtime = instructions(dockerfile(service))
    runtime = runtime[next(i for i, line in enumerate(runtime) if line.endswith(" AS runtime")):]
    assert f"ENV ASPNETCORE_HTTP_PORTS={MODEL.services[service].port}" in runtime
    assert "USER 10001:10001" in runtime  # the chart's uid, not the image's app user (1654)
    assert not any(line.startswith("RUN ") for line in runtime)  # a chiseled image has no shell


def test_the_shipped_file_server_is_generated_once_with_a_header() -> None:
    assert FILES["generated/docker/pipelinegen-httpd.go"] == (
        header("services.yaml", "//") + httpd_source())
    assert FILES["generated/docker/pipelinegen-grpc-probe.go"] == (
        header("services.yaml", "//") + grpcprobe.source())
    assert sorted(p for p in FILES if p.startswith("generated/docker/") and p.endswith(".go")) \
        == ["generated/docker/pipelinegen-grpc-probe.go", "generated/docker/pipelinegen-httpd.go"]


def test_a_dockerfile_service_gets_no_generated_dockerfile(tmp_path: Path) -> None:
    text = (REPO / "services.yaml").read_text().replace(
        "  docs:\n    path: services/docs\n    stack: static\n",
        "  docs:\n    path: services/docs\n    stack: dockerfile\n"
        "    dockerfile: services/docs/Dockerfile\n")
    (tmp_path / "services.yaml").write_text(text)
    files = Workspace.locate(tmp_path / "services.yaml", None).plan.outputs
    assert not [path for path in files if path.startswith("generated/docker/docs.")]
    assert "generated/docker/api.Dockerfile" in files


def test_hadolint_reports_nothing_on_any_generated_dockerfile(tmp_path: Path) -> None:
    paths = []
    for service in BUILT:
        path = tmp_path / f"{service}.Dockerfile"
        path.write_text(dockerfile(service))
        paths.append(str(path))
    done = subprocess.run([hadolint(), "--config", str(REPO / ".hadolint.yaml"), "--format",
                           "json", *paths], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == []  # no finding at any level, info and style included


def test_hadolint_does_find_problems_it_is_shown(tmp_path: Path) -> None:
    """The check above can fail: hadolint flags an unpinned, root, shell-form Dockerfile."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:3.12\nRUN pip install flask\nCMD python app.py\n")
    done = subprocess.run([hadolint(), "--config", str(REPO / ".hadolint.yaml"), "--format",
                           "json", str(bad)], capture_output=True, text=True, check=False)
    codes = {finding["code"] for finding in json.loads(done.stdout)}
    assert done.returncode == 1 and {"DL3013", "DL3025"} <= codes, codes


def test_generation_is_deterministic_across_hash_seeds() -> None:
    script = ("from pathlib import Path; from pipelinegen.workspace import Workspace;"
              " ws = Workspace.locate(Path('services.yaml'), None);"
              " import hashlib, sys; sys.stdout.write(hashlib.sha256(b''.join("
              "p.encode() + d for p, d in sorted(ws.plan.files.items()))).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", script], cwd=REPO, check=True, text=True,
                              capture_output=True, env={"PYTHONHASHSEED": seed}).stdout
               for seed in ("0", "1")}
    assert len(digests) == 1
    assert re.fullmatch(r"[0-9a-f]{64}", digests.pop())
