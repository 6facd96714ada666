"""The node stack: `npm ci` installs the production dependencies in the build stage; the
runtime stage runs the sources from /app with them."""

from __future__ import annotations

import shlex

from pipelinegen.stacks import lcov
from pipelinegen.stacks.base import NeededFile, Service, Stack, Stages, Toolchain
from pipelinegen.stacks.instructions import copy_depends_on, run


def stages(name: str, service: Service, url: str) -> Stages:
    workdir = f"/app/{service.path}"
    return Stages(
        build=[
            f"WORKDIR {workdir}",
            f"COPY {service.path}/package.json {service.path}/package-lock.json ./",
            run("--mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund",
                "&& mkdir -p node_modules"),
        ],
        runtime=[
            "ENV NODE_ENV=production",
            f"COPY --from=build {workdir}/node_modules {workdir}/node_modules",
            *copy_depends_on(service, "/app"),
            f"COPY {service.path}/ {workdir}/",
        ],
        health=["node", "-e", "require('http').get(process.argv[1], (r) => "
                "process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))",
                url],
        command=["node", f"{workdir}/server.js"
                 if service.runtime.workdir not in (None, workdir) else "server.js"],
        code_dir=workdir,
    )


def coverage(test: list[str]) -> str:
    """Node's own coverage (20+); the lcov reporter beside the usual one gives a figure to read."""
    flags = ["--experimental-test-coverage", "--test-reporter=spec",
             "--test-reporter-destination=stdout", "--test-reporter=lcov"]
    return (shlex.join(["node", *flags]) + f" --test-reporter-destination={lcov.REPORT}"
            + (" " + shlex.join(test[1:]) if test[1:] else "") + "\n")


STACK = Stack(
    name="node",
    bases=("node", "node"),
    stages=stages,
    files=(NeededFile("package.json", "run `npm init -y` there"),
           NeededFile("package-lock.json", "run `npm install` there to write it, and commit it")),
    toolchain=Toolchain(
        setup="actions/setup-node", version_input="node-version", default_version="22",
        images=("node",), cache_paths="~/.npm", cache_key_files="'**/package-lock.json'",
        install="if [ -f package-lock.json ]; then\n  npm ci\nfi\n",
        test_prefix=("node",), coverage=coverage,
        figure=lcov.figure()),
    base_images={"node": "node:{version}-bookworm-slim"},
    codeql="javascript-typescript",
    dependabot="npm",
    port=3000,
)
