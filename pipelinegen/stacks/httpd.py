"""The small Go file server and health probe pipelinegen ships (pipelinegen/data/
pipelinegen-httpd.go), built in the go and static stacks' build stage."""

from __future__ import annotations

from pipelinegen.core import layout
from pipelinegen.stacks.instructions import run

SOURCE = layout.HTTPD_SOURCE
SHIPPED: dict[str, tuple[str, str | None]] = {SOURCE: ("pipelinegen-httpd.go", "//")}
BINARY = "/usr/local/bin/pipelinegen-httpd"
GO_CACHE = "--mount=type=cache,target=/root/.cache/go-build"
GO_MODULES = "--mount=type=cache,target=/go/pkg/mod"
GO_ENV = "ENV CGO_ENABLED=0 GOCACHE=/root/.cache/go-build GOMODCACHE=/go/pkg/mod GOFLAGS=-trimpath"


def compile_lines() -> list[str]:
    """Build-stage instructions that compile it to /out/pipelinegen-httpd."""
    return [
        f"COPY {SOURCE} /src/{SOURCE}",
        run(f"{GO_CACHE} go build -ldflags=\"-s -w\" -o /out/pipelinegen-httpd /src/{SOURCE}"),
    ]


def probe(url: str) -> list[str]:
    """The HEALTHCHECK argv."""
    return [BINARY, "-probe", url]
