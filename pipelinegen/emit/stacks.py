"""The build stages and runtime pieces of each stack's Dockerfile.

Every stack keeps the repository's layout under one directory (`/app` in python and node images,
`/src` in the go build stage): `<dir>/<service path>`, `<dir>/<depends_on path>`, so relative
references between a service and its shared packages (Go `replace` directives, for one) work
unchanged. Dependency
manifests are copied and installed before any source, so a source-only change reuses the
dependency layer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from pipelinegen.model import Service

# The shipped static file server / health probe (see pipelinegen/data/pipelinegen-httpd.go).
HTTPD_SOURCE = "generated/docker/pipelinegen-httpd.go"
HTTPD = "/usr/local/bin/pipelinegen-httpd"
STATIC_ROOT = "/srv/www"
GO_CACHE = "--mount=type=cache,target=/root/.cache/go-build"
GO_MODULES = "--mount=type=cache,target=/go/pkg/mod"
GO_ENV = "ENV CGO_ENABLED=0 GOCACHE=/root/.cache/go-build GOMODCACHE=/go/pkg/mod GOFLAGS=-trimpath"

# What each stack's Dockerfile copies from the service's directory (a trailing / is a directory);
# validate's service-files rule checks they exist.
STACK_FILES: dict[str, tuple[str, ...]] = {
    "python": ("requirements.txt",),
    "node": ("package.json", "package-lock.json"),
    "go": ("go.mod",),
    "static": ("public/",),
}


# One hash policy for Python requirements, in the image and in CI's test step: pip's
# --require-hashes exactly when the file pins hashes (then every requirement must have one).
PIP_HASHES = ('if grep -q -e "--hash=" requirements.txt; then hashes="--require-hashes";'
              ' else hashes=""; fi')
PIP_HASH_FLAG = '${hashes:+"${hashes}"}'


@dataclass(frozen=True)
class Stack:
    """What a stack contributes: its build stage body and its runtime stage body."""

    build: list[str]  # instructions after `FROM <builder> AS build`
    runtime: list[str]  # instructions after `FROM <runtime> AS runtime`, before USER
    health: list[str]  # argv of the HEALTHCHECK; the URL is one argument of its own
    command: list[str]  # the CMD when the service names none
    extra_context: tuple[str, ...] = ()  # generated paths the build context must include
    code_dir: str | None = None  # where the runtime image holds the whole service directory


def exec_form(argv: list[str]) -> str:
    """A JSON array, the exec form of CMD and HEALTHCHECK (no shell, no variable expansion)."""
    return json.dumps(argv)


def run(*lines: str) -> str:
    """A RUN instruction continued over several lines."""
    return " \\\n    ".join(("RUN " + lines[0], *lines[1:]))


def _copy_depends_on(service: Service, base: str) -> list[str]:
    return [f"COPY {path}/ {base}/{path}/" for path in service.depends_on]


def python(name: str, service: Service, url: str) -> Stack:
    workdir = f"/app/{service.path}"
    # Elsewhere than in its own directory, `python -m <service>` finds the code on the path.
    own = [workdir] if service.runtime.workdir not in (None, workdir) else []
    pythonpath = ":".join(["/opt/deps", *own, *(f"/app/{path}" for path in service.depends_on)])
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
            "COPY --from=build /opt/deps /opt/deps",
            *_copy_depends_on(service, "/app"),
            f"COPY {service.path}/ {workdir}/",
        ],
        health=["python", "-c", "import sys, urllib.request; "
                "sys.exit(urllib.request.urlopen(sys.argv[1], timeout=4).status != 200)", url],
        command=["python", "-m", name.replace("-", "_")],
        code_dir=workdir,
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
            f"COPY --from=build {workdir}/node_modules {workdir}/node_modules",
            *_copy_depends_on(service, "/app"),
            f"COPY {service.path}/ {workdir}/",
        ],
        health=["node", "-e", "require('http').get(process.argv[1], (r) => "
                "process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))",
                url],
        command=["node", f"{workdir}/server.js"
                 if service.runtime.workdir not in (None, workdir) else "server.js"],
        code_dir=workdir,
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


# --- what every stack's stages share: OS packages, runtime files, the working directory ------


def apt_install(packages: list[str]) -> list[str]:
    """One RUN that installs Debian packages and leaves no apt lists, downloaded packages or
    package caches behind (hadolint DL3009, DL3015; a base without the official images'
    docker-clean hook would otherwise keep some 80 MB). Unpinned names take the version of the
    digest-pinned base's Debian release at build time, which DL3008 would flag: the model allows
    them (pins `name=version` break on every point release that drops the old version), so the
    ignore is written only then."""
    if not packages:
        return []
    ignore = [] if all("=" in package for package in packages) else [
        "# Unpinned packages follow the base image's Debian release (pin with name=version).",
        "# hadolint ignore=DL3008"]
    return [*ignore, run("apt-get update",
                         f"&& apt-get install -y --no-install-recommends {' '.join(packages)}",
                         "&& apt-get clean && rm -rf /var/lib/apt/lists/*")]


def build_stage(service: Service, stack: Stack) -> list[str]:
    """The instructions after `FROM <builder> AS build`."""
    return [*apt_install(service.packages.build), *stack.build]


def runtime_stage(service: Service, stack: Stack) -> list[str]:
    """The instructions after `FROM <runtime> AS runtime`, before the contract lines: packages
    first (the slowest layer changes least), the working directory, the stack's own lines, then
    the runtime files. Copied files keep root ownership, so the non-root process can read them
    but never change them."""
    runtime = service.runtime
    workdir = runtime.workdir or stack.code_dir or "/app"
    lines = apt_install(service.packages.runtime)
    if runtime.workdir or runtime.files or stack.code_dir:
        lines.append(f"WORKDIR {workdir}")
    lines += stack.runtime
    if workdir != stack.code_dir:  # else the stack copied the whole service directory there
        lines += [f"COPY {service.path}/{path} {workdir}/{path}" for path in runtime.files]
    return lines


STACKS = {"python": python, "node": node, "go": go, "static": static}
