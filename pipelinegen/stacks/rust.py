"""The rust stack: the dependencies built in a layer of their own, a distroless-cc runtime.

Before any source, the build stage compiles the crate's locked dependencies against a throwaway
`main` (the layer split cargo-chef automates, without a tool to install): a source-only change
reuses that layer. `cargo install --path .` then builds the crate's binaries into /out/bin, and
the runtime holds them with a small std-only health probe (pipelinegen/data/pipelinegen-probe.rs)
compiled with the same rustc: a distroless image has no shell or curl.
"""

from __future__ import annotations

import shlex

from pipelinegen.core import layout
from pipelinegen.stacks import detection, lcov
from pipelinegen.stacks.base import NeededFile, Service, Stack, Stages, Toolchain
from pipelinegen.stacks.detection import Detector, Files, Guess, Project
from pipelinegen.stacks.instructions import copy_depends_on, run

PROBE_SOURCE = f"{layout.DOCKER}/pipelinegen-probe.rs"
PROBE = "/usr/local/bin/pipelinegen-probe"
# CARGO_HOME as in the official rust images; its registry is a cache mount, never a layer.
ENV = "ENV CARGO_HOME=/usr/local/cargo CARGO_TERM_COLOR=never"
REGISTRY = "--mount=type=cache,target=/usr/local/cargo/registry"
# The coverage gate's raw profiles, merged profile and test binaries.
PROFILES = "${RUNNER_TEMP}/rust-coverage"
# llvm-profdata and llvm-cov of the rustc's own LLVM: rustup's llvm-tools component (and
# Debian's rust-web-llvm) put them in the sysroot.
LLVM_TOOLS = ('tools="$(rustc --print sysroot)/lib/rustlib/'
              '$(rustc -vV | sed -n \'s/^host: //p\')/bin"')
# Dependencies' sources (crates.io, git) are not the service's lines.
NOT_OURS = "/registry/src/|/git/checkouts/|^/rustc/"


def stages(name: str, service: Service, url: str) -> Stages:
    return Stages(
        build=[
            ENV,
            f"COPY {PROBE_SOURCE} /src/{PROBE_SOURCE}",
            run("mkdir -p /out", "&& rustc -C opt-level=2 -C strip=symbols"
                f" -o /out/pipelinegen-probe /src/{PROBE_SOURCE}"),
            *copy_depends_on(service, "/src"),
            f"WORKDIR /src/{service.path}",
            f"COPY {service.path}/Cargo.toml {service.path}/Cargo.lock ./",
            # The dependencies alone, against a throwaway main.
            run(f"{REGISTRY} mkdir -p src", "&& echo 'fn main() {}' > src/main.rs",
                "&& cargo build --release --locked", "&& rm -rf src"),
            f"COPY {service.path}/ ./",
            # The real sources are older than the throwaway build: touch them so cargo rebuilds.
            run(f"{REGISTRY} find src -name '*.rs' -exec touch {{}} +",
                "&& cargo install --path . --locked --root /out --target-dir target"),
        ],
        runtime=[
            f"COPY --from=build /out/pipelinegen-probe {PROBE}",
            "COPY --from=build /out/bin/ /app/",
        ],
        health=[PROBE, url],
        command=[f"/app/{name}"],
        extra_context=(PROBE_SOURCE,),
        ignored=(f"{service.path}/target",),  # local build output
    )


def coverage(test: list[str]) -> str:
    """`cargo test` of instrumented code (-C instrument-coverage, stable since Rust 1.60), then
    llvm-cov's lcov report of the test binaries cargo names."""
    args = (" " + shlex.join(test[2:])) if test[2:] else ""
    profiles = f'"{PROFILES}'
    return (f'mkdir -p {profiles}"\n'
            f'export RUSTFLAGS="${{RUSTFLAGS:+${{RUSTFLAGS}} }}-C instrument-coverage"'
            f' LLVM_PROFILE_FILE={profiles}/%p-%m.profraw"\n'
            f"cargo test{args}\n"
            f"cargo test --no-run --message-format=json{args}"
            " | sed -n 's/.*\"executable\":\"\\([^\"]*\\)\".*/-object=\\1/p'"
            f' > {profiles}/objects"\n'
            f"{LLVM_TOOLS}\n"
            f'"${{tools}}/llvm-profdata" merge -sparse -o {profiles}/merged.profdata"'
            f' {profiles}"/*.profraw\n'
            f"xargs -d '\\n' \"${{tools}}/llvm-cov\" export -format=lcov"
            f' -instr-profile={profiles}/merged.profdata" -ignore-filename-regex=\'{NOT_OURS}\''
            f' < {profiles}/objects" > {lcov.REPORT}\n')


# --- pipelinegen init: a project's manifests -------------------------------------------------


def detect(tree: Files, project: Project) -> None:
    data = detection.toml(tree.read(project.manifest))
    project.name = str(data.get("package", {}).get("name") or project.name)
    project.workspace = "workspace" in data
    if version := data.get("package", {}).get("rust-version"):
        project.version = Guess(str(version), f"rust-version in {project.manifest}")
    if tree.has(f"{detection.join(project.path)}src/main.rs"):
        project.entry = "it has src/main.rs"
    project.test = Guess(["cargo", "test"], "Cargo's test runner")


STACK = Stack(
    name="rust",
    bases=("rust", "cc"),
    stages=stages,
    files=(NeededFile("Cargo.toml", "run `cargo init` there"),
           NeededFile("Cargo.lock", "run `cargo generate-lockfile` there, and commit it")),
    toolchain=Toolchain(
        setup="actions-rust-lang/setup-rust-toolchain", version_input="toolchain",
        default_version="1.97", images=("rust",),
        cache_paths="~/.cargo/registry/index\n~/.cargo/registry/cache\n~/.cargo/git/db\n",
        cache_key_files="'**/Cargo.lock'",
        install="if [ -f Cargo.lock ]; then\n  cargo fetch --locked\nfi\n",
        test_prefix=("cargo", "test"), coverage=coverage, figure=lcov.figure(),
        # The cache step beside it is every stack's; warnings stay warnings, as in the image.
        # llvm-tools-preview: the name every toolchain knows (newer ones rename it llvm-tools).
        extra={"cache": False, "rustflags": "", "components": "llvm-tools-preview"}),
    base_images={"rust": "rust:{version}-slim-bookworm",
                 "cc": "gcr.io/distroless/cc-debian12:nonroot"},
    shipped={PROBE_SOURCE: ("pipelinegen-probe.rs", "//")},
    codeql="rust",
    dependabot="cargo",
    runtime_packages=False,  # distroless: no apt
    runtime_holds="distroless cc holds CA certificates, tzdata, glibc, libgcc, libstdc++ and"
                  " OpenSSL's libssl",
    detector=Detector(("Cargo.toml",), detect, rank=5, code=(".rs",), grpc=("tonic",)),
)
