"""yamlio's fast path writes exactly the bytes ruamel writes, or leaves the document to ruamel."""

from __future__ import annotations

import io
import random
import string
from pathlib import Path
from typing import Any

from benchmarks import synthetic
from pipelinegen import yamlio
from tests.support import workflow_models

TRICKY = [
    "", " ", "a", "-", "- a", "-a", "?", "? a", ":", ":a", "a:", "a: b", "a:b", "a #b", "a#b",
    "#a", "---", "...", "--- a", "a b", "a  b", " a", "a ", "yes", "no", "on", "off", "y", "n",
    "true", "False", "null", "~", "NULL", "0", "1", "-1", "+1", "007", "0o17", "0x1f", "1_000",
    "1e3", "1.0e+3", "1.10", "3.12", ".5", ".inf", "-.inf", ".nan", "1:30", "12:30:00",
    "2024-01-01", "2024-01-01 10:00:00", "<<", "=", "@a", "`a", "%a", "&a", "*a", "!a", "|a",
    ">a", "'a", '"a', "a'b", 'a"b', "a,b", "[a]", "{a}", "a[b]", "a{b}", "${{ x }}",
    "${{ github.sha }}", "http://api:8080", "ghcr.io/acme/api@sha256:" + "0" * 64,
    "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8", "echo \"${X}\"",
    "needs.changes.outputs.services != '[]'", "a\tb", "é", "a\\b", "\x7f", "x" * 130,
    "line\n", "line", "l1\nl2", "l1\nl2\n", "l1\n\nl2\n", "l1\nl2\n\n", "\nl1", " l1\nl2",
    "l1 \nl2", "l1\n l2\n", "l1\n\tl2\n", "set -eu\npython -m pip install .\n", "a\r\nb",
]
KEYS = ["a", "on", "y", "n", "name", "runs-on", "if", "with", "python-version", "", "1", "a b",
        "a:b", "-x", "*", "${{ x }}", "k" * 120]


def _scalar(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.55:
        return rng.choice(TRICKY)
    if roll < 0.7:
        return "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 12)))
    return rng.choice([None, True, False, 0, 7, -3, 10**20, 1.5, yamlio.ON])


COMMENTS = ["v4.3.0", "check out the repository", "a # b", "", " x", "é", "a: b", "#"]


def _node(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.5:
        return _scalar(rng)
    if roll < 0.75:
        mapping = {rng.choice(KEYS + TRICKY[:20]): _node(rng, depth + 1)
                   for _ in range(rng.randint(0, 4))}
        if mapping and rng.random() < 0.4:  # comments beside some of its keys
            keys = rng.sample(sorted(mapping), rng.randint(1, len(mapping)))
            return yamlio.with_comments(mapping, {key: rng.choice(COMMENTS) for key in keys})
        return mapping
    return [_node(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def _ruamel(data: Any) -> str:
    stream = io.StringIO()
    yamlio._dumper().dump(yamlio._for_ruamel(data), stream)
    return stream.getvalue()


def test_fast_path_matches_ruamel_byte_for_byte() -> None:
    rng = random.Random(20261126)
    written = commented = 0
    for _ in range(4000):
        data = {rng.choice(KEYS): _node(rng, 0) for _ in range(rng.randint(1, 5))}
        fast = yamlio._Quick().document(data)
        if fast is not None:
            written += 1
            commented += "# " in fast
            assert fast == _ruamel(data), data
    assert written > 500  # many documents, not only trivial ones, take the fast path
    assert commented > 40  # comments included


def test_every_generated_workflow_takes_the_fast_path_as_ruamel_writes_it(
        tmp_path: Path) -> None:
    """The workflows of both models the snapshots hold, and of a synthetic 300 services."""
    from pipelinegen.emit.workflows import common

    documents: list[Any] = []
    original = common.dump

    def recording(data: Any) -> str:
        documents.append(data)
        return original(data)

    common.dump = recording  # type: ignore[assignment]
    try:
        workflow_models.bundled()
        workflow_models.variant(tmp_path / "variant")
        assert workflow_models.synthetic_repo(tmp_path / "large", 300).plan.files
    finally:
        common.dump = original  # type: ignore[assignment]
    assert len(documents) == 15
    for data in documents:
        fast = yamlio._Quick().document(data)
        assert fast is not None, data["name"]
        assert fast == _ruamel(data), data["name"]


def test_typical_documents_take_the_fast_path() -> None:
    workflow = {
        "name": "ci", yamlio.ON: {"pull_request": None, "merge_group": None},
        "permissions": {},
        "jobs": {"gate": {"runs-on": "ubuntu-24.04", "if": "${{ always() }}",
                          "needs": ["test", "build"],
                          "steps": [{"uses": "actions/checkout@" + "0" * 40,
                                     "with": {"persist-credentials": False}},
                                    {"run": "set -eu\necho \"${RESULTS}\"\n",
                                     "env": {"RESULTS": "${{ toJSON(needs) }}"}}]}},
    }
    model = synthetic.synthetic_model(5, {"python": "python:3.12@sha256:" + "0" * 64})
    for data in (workflow, model):
        fast = yamlio._Quick().document(data)
        assert fast is not None
        assert fast == _ruamel(data)
        assert yamlio.dump(data) == fast
