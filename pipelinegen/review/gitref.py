"""The one reader of generation inputs at a git ref (or on disk, through the same reader)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from pipelinegen import actions_lock, load
from pipelinegen.inputs import Inputs

Reader = Callable[[Iterable[str]], dict[str, bytes | None]]


def inputs_at(read: Reader, where: str, source: str, model_file: Path | None = None
              ) -> Inputs | None:
    """Everything generation depends on, read through `read` (a commit's files, or the disk);
    None without a services file. `where` ("REF:" or "") prefixes file names in messages;
    `model_file` stands in for the services file (`diff --old/--new`).

    This is the one place that knows which files are inputs besides the workspace, so a new
    input (a lock file) is read at refs by adding it here.
    """
    if model_file is not None:
        model = load.load(model_file, str(model_file))
    else:
        raw = read([source])[source]
        if raw is None:
            return None
        model = load.loads(raw, f"{where}{source}")
    lock = read([actions_lock.LOCK])[actions_lock.LOCK]
    text = None if lock is None else lock.decode("utf-8", "replace")
    actions = actions_lock.parse_or_default(text, f"{where}{actions_lock.LOCK}")
    return Inputs(model, source, actions)
