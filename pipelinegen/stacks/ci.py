"""What CI knows about one stack's toolchain (a row of toolchains.TOOLCHAINS)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Toolchain:
    setup: str  # the set-up action
    version_input: str  # its version input
    cache_paths: str
    cache_key_files: str  # the files the cache key hashes
    install: str  # shell: installs a service's locked dependencies, if it has any
    # The test command, run measuring coverage; None: the stack has no coverage gate.
    coverage: Callable[[list[str]], str] | None
    figure: str | None  # shell: prints the total line coverage in percent
    extra: dict[str, object] = field(default_factory=dict)  # more inputs of the set-up action
