"""The loader's fast path (libyaml) must read every file exactly as the careful round-trip
reader does: the same model for valid files, the same located problems for everything else."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from benchmarks import synthetic
from pipelinegen.core import load, yamlio
from pipelinegen.core.errors import InputError
from pipelinegen.core.model import HELM_TEST_IMAGE, Model

PROJECT = Path(__file__).resolve().parent.parent
PYTHON_BASE = load.load(PROJECT / "services.yaml").bases["python"]
HELM_TEST_BASE = HELM_TEST_IMAGE

TEMPLATE = f"""\
version: 1
project:
  name: demo
  repository: acme/demo
  registry: ghcr.io/acme
  environments:
    - name: dev
      namespace: demo-dev
      approval: {{approval}}
bases:
  helm-test: {HELM_TEST_BASE}
  python: {PYTHON_BASE}
services:
  api:
    path: services/api
    stack: python
    port: 8080
    deploy:
      replicas: {{replicas}}
      env:
        VALUE: {{value}}
"""


def _outcome(raw: bytes, *, fast: bool, monkeypatch: pytest.MonkeyPatch) -> Model | list[str]:
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(load, "_C_PARSER", None)
        try:
            return load.loads(raw, "services.yaml")
        except InputError as exc:
            return [f"{p.line}:{p.col}: {p.message} ({p.hint})" for p in exc.problems]


def test_the_fast_path_reads_valid_files_without_the_careful_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load._C_PARSER is not None, "install ruamel.yaml.clib (a dependency of pipelinegen)"
    files = [(PROJECT / "services.yaml").read_bytes(),
             yamlio.dump(synthetic.synthetic_model(40, {"python": PYTHON_BASE, "node": PYTHON_BASE,
                                                        "go": PYTHON_BASE, "helm-test": PYTHON_BASE,
                                                        "static": PYTHON_BASE})).encode()]
    careful = [_outcome(raw, fast=False, monkeypatch=monkeypatch) for raw in files]

    def refuse(*_: object) -> None:
        raise AssertionError("the careful reader ran for a valid file")

    monkeypatch.setattr(load, "_parse", refuse)
    assert [load.loads(raw, "services.yaml") for raw in files] == careful


@pytest.mark.parametrize(("approval", "replicas", "value"), [
    ("true", "2", "plain"), ("yes", "2", "x"), ("on", "2", "x"), ("True", "2", "x"),
    ("TRUE", "2", "x"), ('"true"', "2", "x"), ("~", "2", "x"), ("false", "0o3", "x"),
    ("false", "0x2", "x"), ("false", "1_0", "x"), ("false", "+2", "x"), ("false", "2.0", "x"),
    ("false", '"2"', "x"), ("false", "017", "x"), ("false", "2", "yes"), ("false", "2", "1.10"),
    ("false", "2", "~"), ("false", "2", "2024-01-01"), ("false", "2", "12:30:00"),
    ("false", "2", "!!str 5"), ("false", "2", "!custom x"), ("false", "2", ".inf"),
    ("false", "2", "'quoted'"), ("false", "2", "|\n          two\n          lines"),
    ("false", "2", "&anchor x"), ("false", "2", "[a, b]"), ("false", "2", "{a: b}"),
    ("false", "2", ""), ("false", "2", "'${{ secrets.X }}'"), ("false", "2", '"tab\\there"'),
])
def test_fast_and_careful_readers_agree(approval: str, replicas: str, value: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    raw = TEMPLATE.format(approval=approval, replicas=replicas, value=value).encode()
    fast = _outcome(raw, fast=True, monkeypatch=monkeypatch)
    assert fast == _outcome(raw, fast=False, monkeypatch=monkeypatch)


@pytest.mark.parametrize("text", [
    TEMPLATE.format(approval="false", replicas="2", value="x") + "  api:\n    path: other\n",
    TEMPLATE.format(approval="false", replicas="2", value="x").replace("port: 8080", "port: 0"),
    TEMPLATE.format(approval="false", replicas="2", value="x").replace("    port", "    prot"),
    "version: 1\n" + "x: &a [1]\n" + "project: *a\n",
    "version: 1\n---\nversion: 1\n",
    "- a list\n",
    "",
    "a: [unclosed\n",
])
def test_problems_are_reported_as_before(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _outcome(text.encode(), fast=True, monkeypatch=monkeypatch)
    assert isinstance(fast, list) and fast
    assert fast == _outcome(text.encode(), fast=False, monkeypatch=monkeypatch)


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        load.loads(("\n".join(lines) + "\n").encode(), "bomb.yaml")
    assert time.perf_counter() - started < 10
    assert any("with its aliases written out the document is over" in p.message
               for p in caught.value.problems)
