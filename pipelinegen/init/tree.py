"""The repository as the scanner sees it: its own files (repofiles' view), read on demand."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath

from pipelinegen import stacks
from pipelinegen.core import layout
from pipelinegen.stacks.detection import parent
from pipelinegen.validate import repofiles

__all__ = ["Tree", "is_test", "parent"]

MAX_READ = 512 * 1024  # larger files are data, not manifests or code worth reading
TEST_PARTS = frozenset({"test", "tests", "__tests__", "testdata", "spec", "fixtures"})
TEST_SUFFIXES = tuple(suffix for detector in stacks.detectors().values()
                      for suffix in detector.tests)


@dataclass
class Tree:
    root: Path
    _text: dict[str, str | None] = field(default_factory=dict)

    @cached_property
    def files(self) -> list[str]:
        """Every file of the repository, relative POSIX paths, sorted."""
        found = repofiles.find(self.root, lambda path: path.is_file())
        paths = (path.relative_to(self.root).as_posix() for path in found)
        # pipelinegen's own output is never evidence about the services.
        return [path for path in paths if not layout.is_output_location(path)]

    def read(self, path: str) -> str | None:
        """A file's text (None when absent, unreadable or too large to be a manifest)."""
        if path not in self._text:
            target = self.root / path
            try:
                text = (None if target.stat().st_size > MAX_READ
                        else target.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                text = None
            self._text[path] = text
        return self._text[path]

    def has(self, path: str) -> bool:
        return (self.root / path).is_file()

    def under(self, directory: str, *suffixes: str) -> list[str]:
        """Files below a directory ("" is the root) ending with one of the suffixes."""
        prefix = f"{directory}/" if directory else ""
        return [path for path in self.files
                if path.startswith(prefix) and (not suffixes or path.endswith(suffixes))]

    def code(self, directory: str, *suffixes: str) -> list[str]:
        """Source files below a directory, tests left out (a test's port is not the service's)."""
        return [path for path in self.under(directory, *suffixes) if not is_test(path)]


def is_test(path: str) -> bool:
    pure = PurePosixPath(path)
    name = pure.name
    return (bool(TEST_PARTS.intersection(pure.parts[:-1])) or name.startswith("test_")
            or name.endswith(TEST_SUFFIXES))
