"""The build stages and runtime pieces of each stack's Dockerfile.

Every stack keeps the repository's layout under one directory (`/app` in python and node images,
`/src` in the go build stage): `<dir>/<service path>`, `<dir>/<depends_on path>`, so relative
references between a service and its shared packages (Go `replace` directives, for one) work
unchanged. Dependency
manifests are copied and installed before any source, so a source-only change reuses the
dependency layer.
"""

from __future__ import annotations

from pipelinegen.model import Service
from pipelinegen.stacks import dotnet, java, rust
from pipelinegen.stacks.stage import Stack, exec_form, run

__all__ = ["SHIPPED", "STACKS", "STACK_FILES", "Stack", "exec_form", "run"]

# The shipped static file server / health probe (see pipelinegen/data/pipelinegen-httpd.go).
HTTPD_SOURCE = "generated/docker/pipelinegen-httpd.go"
HTTPD = "/usr/local/bin/pipelinegen-httpd"
STATIC_ROOT = "/srv/www"
GO_CACHE = "--mount=type=cache,target=/root/.cache/go-build"
GO_MODULES = "--mount=type=cache,target=/go/pkg/mod"
GO_ENV = "ENV CGO_ENABLED=0 GOCACHE=/root/.cache/go-build GOMODCACHE=/go/pkg/mod GOFLAGS=-trimpath"

# What each stack's Dockerfile copies from the service's directory (a trailing / is a directory);
# validate's service-files rule checks they exist.
# An entry `a|b` is any one of them; `*.x` any file matching it.
STACK_FILES: dict[str, tuple[str, ...]] = {
    "python": ("requirements.txt",),
    "node": ("package.json", "package-lock.json"),
    "go": ("go.mod",),
    "static": ("public/",),
    "java": java.FILES,
    "rust": rust.FILES,
    "dotnet": dotnet.FILES,
}


# One hash policy for Python requirements, in the image and in CI's test step: pip's
# --require-hashes exactly when the file pins hashes (then every requirement must have one).
PIP_HASHES = ('if grep -q -e "--hash=" requirements.txt; then hashes="--require-hashes";'
              ' else hashes=""; fi')
PIP_HASH_FLAG = '${hashes:+"${hashes}"}'


def _copy_depends_on(service: Service, base: str) -> list[str]:
    return [f"COPY {path}/ {base}/{path}/" for path in service.depends_on]


def python(name: str, service: Service, url: str) -> Stack:
    workdir = f"/app/{service.path}"
    pythonpath = ":".join(["/opt/deps", *(f"/app/{path}" for path in service.depends_on)])
    return Stack(
        build=[
            f"WORKDIR {workdir}",
            f"COPY {service.path}/requirements.txt ./",
            run("--mount=type=cache,target=/root/.cache/pip mkdir -p /opt/deps",
                f"&& {PIP_HASHES}",
                f"&& python -m pip install {PIP_HASH_FLAG} --disable-pip-version-check",
                "--root-user-action=ignore --no-compile --target /opt/deps"
                " --requirement requirements.txt"),
        ],
        runtime=[
            "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \\\n"
            f"    PYTHONPATH={pythonpath}",
            f"WORKDIR {workdir}",
            "COPY --from=build /opt/deps /opt/deps",
            *_copy_depends_on(service, "/app"),
            f"COPY {service.path}/ ./",
        ],
        health=["python", "-c", "import sys, urllib.request; "
                "sys.exit(urllib.request.urlopen(sys.argv[1], timeout=4).status != 200)", url],
        command=["python", "-m", name.replace("-", "_")],
    )


def node(name: str, service: Service, url: str) -> Stack:
    workdir = f"/app/{service.path}"
    return Stack(
        build=[
            f"WORKDIR {workdir}",
            f"COPY {service.path}/package.json {service.path}/package-lock.json ./",
            run("--mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund",
                "&& mkdir -p node_modules"),
        ],
        runtime=[
            "ENV NODE_ENV=production",
            f"WORKDIR {workdir}",
            f"COPY --from=build {workdir}/node_modules ./node_modules",
            *_copy_depends_on(service, "/app"),
            f"COPY {service.path}/ ./",
        ],
        health=["node", "-e", "require('http').get(process.argv[1], (r) => "
                "process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))",
                url],
        command=["node", "server.js"],
    )


def _httpd_build() -> list[str]:
    return [
        f"COPY {HTTPD_SOURCE} /src/{HTTPD_SOURCE}",
        run(f"{GO_CACHE} go build -ldflags=\"-s -w\" -o /out/pipelinegen-httpd"
            f" /src/{HTTPD_SOURCE}"),
    ]


def go(name: str, service: Service, url: str) -> Stack:
    return Stack(
        build=[
            GO_ENV,
            *_httpd_build(),
            f"WORKDIR /src/{service.path}",
            f"COPY {service.path}/go.* ./",
            *_copy_depends_on(service, "/src"),
            run(f"{GO_MODULES} go mod download"),
            f"COPY {service.path}/ ./",
            run(f"{GO_MODULES} {GO_CACHE}",
                f"go build -ldflags=\"-s -w\" -o /out/{name} ."),
        ],
        runtime=[
            f"COPY --from=build /out/pipelinegen-httpd {HTTPD}",
            f"COPY --from=build /out/{name} /app/{name}",
        ],
        health=[HTTPD, "-probe", url],
        command=[f"/app/{name}"],
        extra_context=(HTTPD_SOURCE,),
    )


def static(name: str, service: Service, url: str) -> Stack:
    return Stack(
        build=[GO_ENV, *_httpd_build()],
        runtime=[
            f"COPY --from=build /out/pipelinegen-httpd {HTTPD}",
            f"COPY {service.path}/public/ {STATIC_ROOT}/",
        ],
        health=[HTTPD, "-probe", url],
        command=[HTTPD, "-root", STATIC_ROOT, "-listen", f":{service.port}",
                 "-health", service.health, "-metrics", service.metrics.path],
        extra_context=(HTTPD_SOURCE,),
    )


STACKS = {"python": python, "node": node, "go": go, "static": static,
          "java": java.stack, "rust": rust.stack, "dotnet": dotnet.stack}

# Files pipelinegen ships into generated/docker/ for the images that need them:
# {path: (file in pipelinegen/data, comment marker of its header, None for no header)}.
SHIPPED: dict[str, tuple[str, str | None]] = {
    HTTPD_SOURCE: ("pipelinegen-httpd.go", "//"),
    **java.SHIPPED, **rust.SHIPPED, **dotnet.SHIPPED,
}
