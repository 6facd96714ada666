"""An example for the --help of every command, kept in one place and attached as its epilog."""

from __future__ import annotations

import click

EXAMPLES: dict[str, tuple[str, ...]] = {
    "init": ("pipelinegen init --dry-run                # print what it found, write nothing",
             "pipelinegen init && pipelinegen pin && pipelinegen generate"),
    "generate": ("pipelinegen generate",
                 "pipelinegen generate --adopt .github/CODEOWNERS   # its lines are kept"),
    "check": ("pipelinegen check                         # exit 1 on drift",
              "pipelinegen check --format json"),
    "diff": ("pipelinegen diff --base origin/main --stat",
             'pipelinegen diff --base "$BASE_SHA" --format markdown > comment.md'),
    "validate": ("pipelinegen validate",
                 "pipelinegen validate --rule pinned-base --rule consistency"),
    "explain": ("pipelinegen explain pinned-base",),
    "schema": ("pipelinegen schema > services.schema.json",),
    "branch-protection": ("pipelinegen branch-protection check --branch main",),
    "branch-protection check": ("GITHUB_TOKEN=... pipelinegen branch-protection check",),
    "branch-protection apply": ("pipelinegen branch-protection apply --dry-run",),
    "affected": ("pipelinegen affected --base origin/main --format json",),
    "pin-actions": ("pipelinegen pin-actions --check",
                    "pipelinegen pin-actions actions/checkout@v5.0.0"),
    "pin": ("pipelinegen pin --check", "pipelinegen pin --insecure-registry registry.lan:5000"),
    "build": ("pipelinegen build api worker --tag dev",),
    "image-size": ("pipelinegen image-size --service api --image ghcr.io/acme/api:1.4.0",),
    "sbom": ("pipelinegen sbom api -o api.cdx.json",
             "pipelinegen sbom ghcr.io/acme/api:1.4.0 -o api.spdx.json --format spdx"),
    "cost": ("pipelinegen cost                          # exit 1 if a service is over budget",
             "pipelinegen cost --actual opencost-allocation.json"),
    "vuln-gate": ("pipelinegen vuln-gate --service api --report grype.json",),
    "kpis": ("GITHUB_TOKEN=... pipelinegen kpis --repo acme/platform --since 2026-11-01",
             "pipelinegen kpis --repo acme/platform --format markdown >> \"$GITHUB_STEP_SUMMARY\""),
}


def attach(group: click.Group, prefix: str = "") -> None:
    """Give every command of the group (and of its groups) its examples as the help epilog."""
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        lines = EXAMPLES.get(path)
        if lines is None:
            raise AssertionError(f"the command {path!r} has no example in help_examples.py")
        command.epilog = "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)
        if isinstance(command, click.Group):
            attach(command, f"{path} ")
