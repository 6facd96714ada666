"""The go stack: a static binary built with the module cache, run on a distroless base; the
shipped httpd probes its health."""

from __future__ import annotations

import re
import shlex

from pipelinegen.stacks import detection, httpd
from pipelinegen.stacks.base import NeededFile, Service, Stack, Stages, Toolchain
from pipelinegen.stacks.detection import Detector, Files, Guess, Project
from pipelinegen.stacks.instructions import copy_depends_on, run


def stages(name: str, service: Service, url: str) -> Stages:
    return Stages(
        build=[
            httpd.GO_ENV,
            *httpd.compile_lines(),
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


# --- pipelinegen init: a project's manifests -------------------------------------------------


def detect(tree: Files, project: Project) -> None:
    text = tree.read(project.manifest) or ""
    if module := re.search(r"^module\s+(\S+)", text, re.M):
        project.name = module.group(1)
    if version := re.search(r"^go\s+([0-9]+\.[0-9]+)", text, re.M):
        project.version = Guess(version.group(1), f"the go directive in {project.manifest}")
    project.requires = set(re.findall(r"^\s*(?:require\s+)?([a-z0-9.-]+\.[a-z]+/\S+)\s+v",
                                      text, re.M))
    project.local = {detection.relative(project.path, target) for target in
                     re.findall(r"=>\s*(\.\.?/\S+)", text)}
    mains = [path for path in tree.under(project.path, ".go")
             if detection.parent(path) == project.path and not path.endswith("_test.go")
             and re.search(r"^package\s+main\b", tree.read(path) or "", re.M)]
    if mains:
        project.entry = f"{mains[0]} is package main"
    if any(path.endswith("_test.go") for path in tree.under(project.path)):
        project.test = Guess(["go", "test", "./..."],
                             f"_test.go files under {detection.join(project.path) or './'}")


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
    detector=Detector(("go.mod",), detect, rank=0, code=(".go",), tests=("_test.go",),
                      grpc=("google.golang.org/grpc",)),
)
