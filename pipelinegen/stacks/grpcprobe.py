"""The gRPC health probe pipelinegen ships (pipelinegen/data/pipelinegen-grpc-probe.go): the
HEALTHCHECK of gRPC images, whatever their stack.

A stage of its own on a Go base builds it, the way the go and static stacks build the httpd,
and the runtime stage copies the static binary (CGO off), so an image with no shell, no Go and
no grpc tooling still checks itself with the standard grpc.health.v1 call.
"""

from __future__ import annotations

from importlib import resources

from pipelinegen.core import layout
from pipelinegen.stacks import httpd
from pipelinegen.stacks.instructions import run

SOURCE = layout.GRPC_PROBE_SOURCE
BINARY = "/usr/local/bin/pipelinegen-grpc-probe"
STAGE = "grpc-probe"


def source() -> str:
    return (resources.files("pipelinegen") / "data" / "pipelinegen-grpc-probe.go").read_text()


def stage(go_base: str) -> list[str]:
    """The stage that builds the probe, on the pinned Go image `go_base`."""
    return [
        f"FROM {go_base} AS {STAGE}",
        httpd.GO_ENV,
        f"COPY {SOURCE} /src/{SOURCE}",
        run(f"{httpd.GO_CACHE} go build -ldflags=\"-s -w\" -o /out/pipelinegen-grpc-probe"
            f" /src/{SOURCE}"),
    ]


def copy() -> str:
    """The runtime stage's instruction that takes the probe from its stage."""
    return f"COPY --from={STAGE} /out/pipelinegen-grpc-probe {BINARY}"


def health(port: int, service: str) -> list[str]:
    """The HEALTHCHECK argv: SERVING on the port, for the health service (empty: the server)."""
    argv = [BINARY, "-addr", f"127.0.0.1:{port}"]
    return [*argv, "-service", service] if service else argv
