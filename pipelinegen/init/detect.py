"""Projects found by their manifests: each stack's detector (pipelinegen/stacks/) says which
files make a directory one of its projects and reads them; scan decides which projects become
services. Nothing here names a stack, and nothing guesses without giving its reason.
"""

from __future__ import annotations

from pipelinegen import stacks
from pipelinegen.init.tree import Tree
from pipelinegen.stacks.detection import Guess, Project

__all__ = ["Guess", "Project", "detect"]

DOCKERFILE = "Dockerfile"


def detect(tree: Tree) -> list[Project]:
    """Every project of the repository, sorted by path."""
    detectors = stacks.detectors()
    by_dir: dict[str, list[tuple[int, int, str, str]]] = {}
    for path in tree.files:
        for kind, detector in detectors.items():
            if (found := detector.project_of(path)) is not None:
                directory, preference = found
                by_dir.setdefault(directory, []).append((detector.rank, preference, path, kind))
    projects = []
    for directory, candidates in sorted(by_dir.items()):
        *_, manifest, kind = min(candidates)
        project = Project(directory, kind, manifest, directory.rpartition("/")[2] or "")
        if tree.has(own := f"{directory}/{DOCKERFILE}" if directory else DOCKERFILE):
            project.dockerfile = own
        detectors[kind].read(tree, project)
        projects.append(project)
    return projects
