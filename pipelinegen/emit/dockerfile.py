"""generated/docker/<svc>.Dockerfile and its <svc>.Dockerfile.dockerignore, for every service
whose stack pipelinegen knows (services of stack `dockerfile` bring their own).

Each Dockerfile has two stages: `build` on the service's builder base with the toolchain, and
`runtime` on its runtime base. Both bases come from `bases` by name, pinned by digest. The build
context is the repository root, so shared `depends_on` paths can be copied; the .dockerignore
beside the Dockerfile (which BuildKit reads in place of the context's) sends only the paths the
service needs.
"""

from __future__ import annotations

from importlib import resources

from pipelinegen import stacks
from pipelinegen.core import layout
from pipelinegen.core.inputs import Inputs
from pipelinegen.core.model import Model, Service
from pipelinegen.emit.header import header
from pipelinegen.stacks import grpcprobe
from pipelinegen.stacks.base import Stages
from pipelinegen.stacks.instructions import build_stage, exec_form, runtime_stage

HEALTHCHECK_TIMING = "--interval=10s --timeout=5s --start-period=10s --retries=3"
# Never sent to the builder even inside an included path: caches, local installs, VCS data.
ALWAYS_IGNORED = ("**/.git", "**/.venv", "**/__pycache__", "**/*.pyc", "**/node_modules")


def emit(inputs: Inputs) -> dict[str, str]:
    model = inputs.model
    files: dict[str, str] = {}
    for name in sorted(model.services):
        service = model.services[name]
        build = stacks.get(service.stack).stages
        if build is None:
            continue  # the service's own Dockerfile
        url = f"http://127.0.0.1:{service.port}{service.health}"
        stack = build(name, service, url)
        probe = (grpcprobe.SOURCE,) if service.grpc else ()
        files[layout.dockerfile_path(name)] = dockerfile_text(inputs, name, stack)
        files[layout.dockerignore(name)] = dockerignore(
            inputs, [service.path, *service.depends_on, *stack.extra_context, *probe],
            stack.ignored,
        )
        for path in stack.extra_context:
            files[path] = shipped_file(inputs, path)
        if probe:
            files[grpcprobe.SOURCE] = header(inputs.source, "//") + grpcprobe.source()
    return files


def shipped_file(inputs: Inputs, path: str) -> str:
    """A file a stack ships for its images (Stack.shipped), with its header."""
    data, comment = stacks.shipped(path)
    text = (resources.files("pipelinegen") / "data" / data).read_text()
    return text if comment is None else header(inputs.source, comment) + text


def httpd_source() -> str:
    return (resources.files("pipelinegen") / "data" / "pipelinegen-httpd.go").read_text()


def dockerfile_text(inputs: Inputs, name: str, stack: Stages) -> str:
    model = inputs.model
    service = model.services[name]
    builder, runtime = service.base_names()
    assert builder is not None and runtime is not None  # only dockerfile services lack them
    defaults = model.project.defaults
    lines = [
        header(inputs.source).rstrip("\n"),
        f"# Image {model.image(name)} ({service.stack}). Build from the repository root:",
        f"#   DOCKER_BUILDKIT=1 docker build -f {layout.dockerfile_path(name)} .",
        "",
        f"FROM {model.bases[builder]} AS build",
        *build_stage(service, stack),
        "",
        *([*grpcprobe.stage(model.bases[service.probe_base()]), ""] if service.grpc else []),
        f"FROM {model.bases[runtime]} AS runtime",
        *runtime_stage(service, stack),
        *([grpcprobe.copy()] if service.grpc else []),
        *_port_lines(service),
        f"USER {defaults.uid}:{defaults.gid}",
        *([f"EXPOSE {service.port}"] if service.port is not None else []),
        f"HEALTHCHECK {HEALTHCHECK_TIMING} \\\n    CMD {exec_form(health(service, stack))}",
        *labels(model, name),
        f"CMD {exec_form(list(service.command) or stack.command)}",
    ]
    return "\n".join(lines) + "\n"


def _port_lines(service: Service) -> list[str]:
    # The PORT convention: the app listens on $PORT (the chart sets it too).
    return [f"ENV PORT={service.port}"] if service.port is not None else []


def health(service: Service, stack: Stages) -> list[str]:
    """The HEALTHCHECK argv: the stack's HTTP check, the grpc probe, or the worker's command."""
    if service.port is None:
        return list(service.health_command)
    if service.grpc:
        return grpcprobe.health(service.port, service.health_service)
    return stack.health


def labels(model: Model, name: str) -> list[str]:
    """OCI labels; source, revision and version come from build args (CI passes them)."""
    return [
        f"ARG SOURCE=https://github.com/{model.project.repository}",
        "ARG REVISION=",
        "ARG VERSION=",
        f"LABEL org.opencontainers.image.title=\"{name}\" \\\n"
        "      org.opencontainers.image.source=\"${SOURCE}\" \\\n"
        "      org.opencontainers.image.revision=\"${REVISION}\" \\\n"
        "      org.opencontainers.image.version=\"${VERSION}\"",
    ]


def dockerignore(inputs: Inputs, included: list[str], ignored: tuple[str, ...] = ()) -> str:
    lines = [
        header(inputs.source).rstrip("\n"),
        "# The build context is the repository root: send only what this image needs.",
        "*",
        *(f"!{path}" for path in included),
        *ALWAYS_IGNORED,
        *ignored,
    ]
    return "\n".join(lines) + "\n"
