"""The static stack: the site's files under /srv/www, served by the shipped httpd on the go
stack's bases. No tests, no toolchain in CI."""

from __future__ import annotations

from pipelinegen.stacks import httpd
from pipelinegen.stacks.base import NeededFile, Service, Stack, Stages
from pipelinegen.stacks.detection import Detector, Files, Project

ROOT = "/srv/www"


def stages(name: str, service: Service, url: str) -> Stages:
    return Stages(
        build=[httpd.GO_ENV, *httpd.compile_lines()],
        runtime=[
            f"COPY --from=build /out/pipelinegen-httpd {httpd.BINARY}",
            f"COPY {service.path}/public/ {ROOT}/",
        ],
        health=httpd.probe(url),
        command=[httpd.BINARY, "-root", ROOT, "-listen", f":{service.port}",
                 "-health", service.health, "-metrics", service.metrics.path],
        extra_context=(httpd.SOURCE,),
    )


# --- pipelinegen init: a project's manifests -------------------------------------------------


def detect(tree: Files, project: Project) -> None:
    project.entry = "a site to serve"


STACK = Stack(
    name="static",
    runtime_packages=False,  # distroless: no package manager
    runtime_holds="distroless static holds CA certificates (/etc/ssl/certs) and tzdata"
                  " (/usr/share/zoneinfo)",
    bases=("go", "static"),  # the go stack's: its builder compiles the file server
    stages=stages,
    files=(NeededFile("public/", "put the site's files in it"),),
    serves=True,
    shipped=httpd.SHIPPED,
    detector=Detector(("public/index.html",), detect, rank=6),
)
