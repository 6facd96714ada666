"""The go stack: a static binary built with the module cache, run on a distroless base; the
shipped httpd probes its health."""

from __future__ import annotations

import shlex

from pipelinegen.stacks import httpd
from pipelinegen.stacks.base import NeededFile, Service, Stack, Stages, Toolchain
from pipelinegen.stacks.instructions import copy_depends_on, run


def stages(name: str, service: Service, url: str) -> Stages:
    return Stages(
        build=[
            httpd.GO_ENV,
            *httpd.build(),
            f"WORKDIR /src/{service.path}",
            f"COPY {service.path}/go.* ./",
            *copy_depends_on(service, "/src"),
            run(f"{httpd.GO_MODULES} go mod download"),
            f"COPY {service.path}/ ./",
            run(f"{httpd.GO_MODULES} {httpd.GO_CACHE}",
                f"go build -ldflags=\"-s -w\" -o /out/{name} ."),
        ],
        runtime=[
            f"COPY --from=build /out/pipelinegen-httpd {httpd.BINARY}",
            f"COPY --from=build /out/{name} /app/{name}",
        ],
        health=httpd.probe(url),
        command=[f"/app/{name}"],
        extra_context=(httpd.SOURCE,),
    )


def coverage(test: list[str]) -> str:
    """`go test -coverprofile` statements."""
    return ('go test -coverprofile="${RUNNER_TEMP}/coverage.out"'
            + (" " + shlex.join(test[2:]) if test[2:] else "") + "\n")


STACK = Stack(
    name="go",
    runtime_packages=False,  # distroless: no package manager
    runtime_holds="distroless static holds CA certificates (/etc/ssl/certs) and tzdata"
                  " (/usr/share/zoneinfo)",
    bases=("go", "static"),
    stages=stages,
    files=(NeededFile("go.mod", "run `go mod init <module path>` there"),),
    toolchain=Toolchain(
        setup="actions/setup-go", version_input="go-version", default_version="1.25",
        images=("golang", "go"), cache_paths="~/go/pkg/mod\n~/.cache/go-build\n",
        cache_key_files="'**/go.sum'", install="if [ -f go.mod ]; then\n  go mod download\nfi\n",
        test_prefix=("go", "test"), coverage=coverage,
        figure="go tool cover -func=\"${RUNNER_TEMP}/coverage.out\""
               " | awk '$1 == \"total:\" { sub(/%$/, \"\", $NF); print $NF }'",
        extra={"cache": False}),
    base_images={"go": "golang:{version}-bookworm",
                 "static": "gcr.io/distroless/static-debian12:nonroot"},
    shipped=httpd.SHIPPED,
    codeql="go",
    dependabot="gomod",
    codeql_build="autobuild",
)
