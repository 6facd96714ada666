"""The rust stack: the dependencies built in a layer of their own, a distroless-cc runtime.

Before any source, the build stage compiles the crate's locked dependencies against a throwaway
`main` (the layer split cargo-chef automates, without a tool to install): a source-only change
reuses that layer. `cargo install --path .` then builds the crate's binaries into /out/bin, and
the runtime holds them with a small std-only health probe (pipelinegen/data/pipelinegen-probe.rs)
compiled with the same rustc: a distroless image has no shell or curl.
"""

from __future__ import annotations

from pipelinegen import layout
from pipelinegen.stacks.base import NeededFile, Service, Stack, Stages, Toolchain
from pipelinegen.stacks.instructions import copy_depends_on, run

PROBE_SOURCE = f"{layout.DOCKER}/pipelinegen-probe.rs"
PROBE = "/usr/local/bin/pipelinegen-probe"
# CARGO_HOME as in the official rust images; its registry is a cache mount, never a layer.
ENV = "ENV CARGO_HOME=/usr/local/cargo CARGO_TERM_COLOR=never"
REGISTRY = "--mount=type=cache,target=/usr/local/cargo/registry"


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


STACK = Stack(
    name="rust",
    bases=("rust", "cc"),
    stages=stages,
    files=(NeededFile("Cargo.toml", "run `cargo init` there"),
           NeededFile("Cargo.lock", "run `cargo generate-lockfile` there, and commit it")),
    # No coverage gate yet: the tests run as given.
    toolchain=Toolchain(
        setup="actions-rust-lang/setup-rust-toolchain", version_input="toolchain",
        default_version="1.97", images=("rust",),
        cache_paths="~/.cargo/registry/index\n~/.cargo/registry/cache\n~/.cargo/git/db\n",
        cache_key_files="'**/Cargo.lock'",
        install="if [ -f Cargo.lock ]; then\n  cargo fetch --locked\nfi\n",
        test_prefix=(), coverage=None, figure=None,
        # The cache step beside it is every stack's; warnings stay warnings, as in the image.
        extra={"cache": False, "rustflags": ""}),
    base_images={"rust": "rust:{version}-slim-bookworm",
                 "cc": "gcr.io/distroless/cc-debian12:nonroot"},
    shipped={PROBE_SOURCE: ("pipelinegen-probe.rs", "//")},
    codeql="rust",
    dependabot="cargo",
    runtime_packages=False,  # distroless: no apt
    runtime_holds="distroless cc holds CA certificates, tzdata, glibc, libgcc, libstdc++ and"
                  " OpenSSL's libssl",
)
