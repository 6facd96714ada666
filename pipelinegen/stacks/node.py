"""The node stack: `npm ci` installs the production dependencies in the build stage; the
runtime stage runs the sources from /app with them."""

from __future__ import annotations

import shlex

from pipelinegen.stacks import detection, lcov
from pipelinegen.stacks.base import NeededFile, Service, Stack, Stages, Toolchain
from pipelinegen.stacks.detection import Detector, Files, Guess, Project
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


# --- pipelinegen init: a project's manifests -------------------------------------------------


# npm's placeholder test script, which is no test.
NPM_PLACEHOLDER = "no test specified"


def detect(tree: Files, project: Project) -> None:
    data = detection.json_object(tree.read(project.manifest))
    project.name = str(data.get("name") or project.name)
    scripts = data.get("scripts") or {}
    deps = {**(data.get("dependencies") or {}), **(data.get("devDependencies") or {})}
    project.requires = set(deps)
    project.local = {detection.relative(project.path, spec.removeprefix("file:"))
                     for spec in deps.values() if isinstance(spec, str)
                     and spec.startswith(("file:", "../", "./"))}
    project.workspace = bool(data.get("workspaces"))
    engines = data.get("engines") or {}
    here = detection.join(project.path)
    if (spec := engines.get("node")) and (major := detection.major(str(spec))):
        project.version = Guess(major, f"engines.node {spec!r} in package.json")
    elif (nvmrc := tree.read(f"{here}.nvmrc")) and (major := detection.major(nvmrc)):
        project.version = Guess(major, ".nvmrc")
    start = str(scripts.get("start", ""))
    argv = detection.plain_argv(start)
    if argv and argv[0] == "node":
        project.entry = f"its start script is {start!r}"
        project.command = Guess(argv, "the start script of package.json")
    elif start:
        project.entry = f"it has a start script ({start!r})"
    elif (main := data.get("main")) and detection.listens(tree.read(f"{here}{main}")):
        project.entry = f"its main file {main} listens on a port"
        project.command = Guess(["node", str(main)], "main in package.json")
    test = str(scripts.get("test", ""))
    if test and NPM_PLACEHOLDER not in test:
        # CI's coverage gate wraps a plain `node ...` command, so the script is run directly.
        argv = detection.plain_argv(test)
        if argv and argv[0] == "node":
            project.test = Guess(argv, f"the test script of package.json ({test!r})")
        else:
            project.test = Guess(["npm", "test"], f"the test script of package.json ({test!r})")


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
    detector=Detector(("package.json",), detect, rank=1, code=(".js", ".mjs", ".cjs", ".ts"),
                      tests=(".test.js", ".spec.js", ".test.ts", ".spec.ts"),
                      grpc=("@grpc/grpc-js",)),
)
