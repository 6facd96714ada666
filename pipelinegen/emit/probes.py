"""How an image checks its own health when its port does not speak HTTP/1.1, or it has none.

gRPC services are checked with pipelinegen's grpc.health.v1 probe (pipelinegen/data/
pipelinegen-grpc-probe.go), built in a stage of its own on the Go base, the way the static
stack's file server is built, and copied into the runtime stage: any stack's image gets the
same small static binary, shell or not. Services without a port run their `health_command`.
"""

from __future__ import annotations

from importlib import resources

from pipelinegen.emit import stacks
from pipelinegen.model import GRPC_PROBE_BASE, Model, Service

GRPC_PROBE_SOURCE = "generated/docker/pipelinegen-grpc-probe.go"
GRPC_PROBE = "/usr/local/bin/pipelinegen-grpc-probe"
STAGE = "grpc-probe"


def grpc_probe_source() -> str:
    return (resources.files("pipelinegen") / "data" / "pipelinegen-grpc-probe.go").read_text()


def probe_base(service: Service) -> str:
    """The Go base the probe builds on: a Go stack's own builder, else the project's `go`."""
    builder, _ = service.base_names()
    return builder if service.stack in ("go", "static") and builder else GRPC_PROBE_BASE


def grpc_stage(model: Model, service: Service) -> list[str]:
    """The stage that builds the probe (CGO off, so it runs on any base)."""
    return [
        f"FROM {model.bases[probe_base(service)]} AS {STAGE}",
        stacks.GO_ENV,
        f"COPY {GRPC_PROBE_SOURCE} /src/{GRPC_PROBE_SOURCE}",
        stacks.run(f"{stacks.GO_CACHE} go build -ldflags=\"-s -w\" -o /out/pipelinegen-grpc-probe"
                   f" /src/{GRPC_PROBE_SOURCE}"),
    ]


def grpc_copy() -> str:
    return f"COPY --from={STAGE} /out/pipelinegen-grpc-probe {GRPC_PROBE}"


def grpc_health(service: Service) -> list[str]:
    """The HEALTHCHECK argv of a gRPC service: SERVING on its port, for its health service."""
    argv = [GRPC_PROBE, "-addr", f"127.0.0.1:{service.port}"]
    return [*argv, "-service", service.health_service] if service.health_service else argv


def sources(service: Service) -> list[str]:
    """Generated files a service's image is built from besides its Dockerfile."""
    return [GRPC_PROBE_SOURCE] if service.grpc and service.stack != "dockerfile" else []

