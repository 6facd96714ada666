"""Rule pinned-actions: every `uses:` in the repository's workflows and actions names a commit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipelinegen.core.errors import Problem
from pipelinegen.validate import repofiles
from pipelinegen.validate.registry import Context, rule

PINNED = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
DOCKER_PINNED = re.compile(r"^docker://[^@\s]+@sha256:[0-9a-f]{64}$")


@rule("pinned-actions")
def pinned_actions(context: Context) -> Iterator[Problem]:
    """Every `uses:` in a workflow or action file is pinned to a full commit SHA.

    Local paths (`./...`, `$/...`) and `docker://image@sha256:<digest>` are pinned too. Files:
    `.github/workflows/*.yml|yaml` and every `action.yml|yaml` (composite actions).

    Passes: `uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0`
    Fails:  `uses: actions/checkout@v4` (a tag can be moved to other code)
    """
    for path in workflow_files(context.root):
        shown = path.relative_to(context.root).as_posix()
        yield from check_file(path, shown)


def workflow_files(root: Path) -> list[Path]:
    workflows = root / ".github" / "workflows"

    def wanted(path: Path) -> bool:
        return (path.parent == workflows and path.suffix in (".yml", ".yaml")) or path.name in (
            "action.yml", "action.yaml")

    return repofiles.find(root, wanted)


def is_pinned(ref: str) -> bool:
    return (ref.startswith(("./", "$/")) or bool(PINNED.match(ref))
            or bool(DOCKER_PINNED.match(ref)))


def check_file(path: Path, shown: str) -> Iterator[Problem]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        tree = YAML(typ="rt", pure=True).load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        yield Problem(shown, line, col, "pinned-actions", f"cannot parse the file: {exc.problem}",
                      "fix the YAML so its `uses:` can be checked")
        return
    except (YAMLError, OSError, UnicodeDecodeError) as exc:
        yield Problem(shown, 1, 1, "pinned-actions", f"cannot read the file: {exc}",
                      "fix the file so its `uses:` can be checked")
        return
    for ref, line, col in _uses(tree):
        if not is_pinned(ref):
            action = ref.split("@")[0]
            yield Problem(
                shown, line, col, "pinned-actions",
                f"`uses: {ref}` is not pinned to a commit SHA",
                f"pin it as `{action}@<40-hex commit> # <tag>` (`pipelinegen pin-actions"
                f" {action}@<tag>` resolves the commit)",
            )


def _uses(node: Any) -> Iterator[tuple[str, int, int]]:
    """(value, line, column) of every `uses:` mapping entry, depth first, in file order."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if key == "uses" and isinstance(value, str):
                line, col = node.lc.value(key)
                yield value, line + 1, col + 1
            else:
                yield from _uses(value)
    elif isinstance(node, CommentedSeq):
        for item in node:
            yield from _uses(item)
