"""Schema errors and cross-reference errors come in one report, each where it is written; a
stack whose default bases are missing is told which and gets the `bases:` lines to add."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from pipelinegen import load
from pipelinegen.errors import InputError
from pipelinegen.model import HELM_TEST_IMAGE
from tests.support.cli import RunCli

PROJECT = """\
version: 1
project:
  name: shop
  repository: acme/shop
  registry: ghcr.io/acme
  environments:
    - name: dev
      namespace: shop-dev
"""
PINNED = "registry.example.invalid/python:3.12@sha256:" + "1" * 64


def _problems(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        load.loads(text.encode(), "services.yaml")
    return [f"{p.line}:{p.col} {p.message} | {p.hint}" for p in caught.value.problems]


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_schema_and_reference_errors_come_together() -> None:
    text = PROJECT + textwrap.dedent(f"""\
        bases:
          python: {PINNED}
        services:
          api:
            path: services/api
            stack: python
            port: 0
            callers: [web]
            builder: ruby
            environments:
              prod: {{replicas: 1}}
          worker:
            path: services/worker
            stack: pyhton
            port: 8081
        """)
    found = _problems(text)
    assert len(found) == 5, found
    expected = [
        (_line(text, "port: 0"), 11, "services.api.port: Input should be greater"),
        (_line(text, "callers: [web]"), 15, "services.api.callers[0]: no service named 'web'"),
        (_line(text, "builder: ruby"), 14, "services.api.builder: builder image 'ruby' is not"
         " declared in bases"),
        (_line(text, "prod:"), 13, "services.api.environments.prod: no environment 'prod'"),
        (_line(text, "stack: pyhton"), 12, "services.worker.stack: Input should be"),
    ]
    for line, col, message in expected:
        assert any(item.startswith(f"{line}:{col} {message}") for item in found), (message, found)


def test_a_name_the_schema_rejects_is_not_reported_twice() -> None:
    text = PROJECT + textwrap.dedent("""\
        services:
          api:
            path: services/api
            stack: dockerfile
            dockerfile: services/api/Dockerfile
            port: 8080
            callers: [Web]
        """)
    found = _problems(text)
    assert len(found) == 1 and "'Web' is not allowed here" in found[0], found


@pytest.mark.parametrize(("stack", "version", "lines"), [
    ("go", "1.24", ["go: golang:1.24-bookworm",
                    "static: gcr.io/distroless/static-debian12:nonroot"]),
    ("static", None, ["go: golang:1.25-bookworm",
                      "static: gcr.io/distroless/static-debian12:nonroot"]),
    ("node", "20", ["node: node:20-bookworm-slim"]),
    ("python", None, ["python: python:3.12-slim-bookworm"]),
])
def test_missing_stack_bases_name_what_the_stack_needs(stack: str, version: str | None,
                                                       lines: list[str]) -> None:
    service = f"  api:\n    path: services/api\n    stack: {stack}\n    port: 8080\n"
    if version:
        service += f'    version: "{version}"\n'
    text = PROJECT + "services:\n" + service
    # The helm test pod's base is missing too: a problem of its own, at bases.
    [found] = [problem for problem in _problems(text) if "services.api.stack" in problem]
    assert found.startswith(f"{_line(text, 'stack:')}:12 services.api.stack: stack '{stack}'"
                            " needs the base image")
    for line in lines:
        assert repr(line.split(":")[0]) in found.split("|")[0]
    hint = found.split("| ", 1)[1]
    assert "`pipelinegen pin`" in hint
    block = hint[hint.index("bases:"):]
    assert block.splitlines() == ["bases:", *(f"  {line}" for line in lines)]
    # The lines are exact: pasted into the file, the model loads.
    helm_test = f"  helm-test: {HELM_TEST_IMAGE}\n"
    model = load.loads((text + block + "\n" + helm_test).encode(), "services.yaml")
    assert set(model.bases) == {line.split(":")[0] for line in lines} | {"helm-test"}


def test_missing_bases_are_printed_as_lines_to_paste(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "services.yaml").write_text(
        PROJECT + "services:\n  api:\n    path: services/api\n    stack: go\n    port: 8080\n")
    result = run_cli("check", "--file", tmp_path / "services.yaml", "--format", "text")
    assert result.exit_code == 2
    assert re.search(r"hint: add \(then run `pipelinegen pin` to pin the digests\):\n +bases:\n"
                     r" +  go: golang:1\.25-bookworm\n +  static: ", result.stderr), result.stderr
