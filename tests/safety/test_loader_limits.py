"""The loader's limits: hostile YAML is a located error (exit 2), never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelinegen import load
from pipelinegen.errors import InputError
from tests.support.cli import RunCli
from tests.support.paths import MINIMAL

BASE = MINIMAL.read_text()
BOMB = "a: &a [" + ",".join(["x" * 100] * 10) + "]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]\n"
    for i in range(5))


def _with_env(env: str) -> str:
    return BASE.replace("    port: 8080\n", f"    port: 8080\n    deploy:\n      env: {env}\n")


CASES = {
    "recursive alias in a list": ("a: &a [*a]\n", "1:8", "alias *a is inside the collection"
                                  " it names (a recursive alias)"),
    "recursive merge": ("a: &a\n  <<: *a\n", "2:7", "alias *a is inside the collection it"
                        " names"),
    "repeated alias in a merge list": ("x: &x {a: 1}\n<<: [*x, *x]\n", "2:10",
                                       "the merge list names *x twice"),
    "two merge keys": ("x: &x {a: 1}\ny:\n  <<: *x\n  <<: *x\n", "4:3",
                       "a mapping may have only one merge key (<<)"),
    "merge of a scalar": ("<<: 5\n", "1:5", "a merge key (<<) takes a mapping"),
    "merge of a list alias": ("x: &x [1]\ny:\n  <<: *x\n", "3:7",
                              "a merge key (<<) takes a mapping"),
    "merge list holding a scalar": ("x: &x {a: 1}\ny:\n  <<: [*x, 1]\n", "3:12",
                                    "a merge key's list (<<: [...]) may hold only aliases"),
    "merge list alias of a list": ("x: &x [1]\ny:\n  <<: [*x]\n", "3:8",
                                   "*x in a merge list is not a mapping"),
    "undefined alias": ("a: *nowhere\n", "1:4", "alias *nowhere has no anchor &nowhere"),
    "nesting 5000 deep": ("a: " + "[" * 5000 + "]" * 5000 + "\n", "1:67",
                          "the document nests deeper than 64 levels"),
    "nesting by aliases": ("a: &a " + "[" * 40 + "]" * 40 + "\nb: " + "[" * 30 + "*a"
                           + "]" * 30 + "\n", "2:34", "alias *a nests the document deeper"),
    "integer of 5000 digits": ("version: " + "9" * 5000 + "\n", "1:10",
                               "a number of 5000 characters; at most 64 are read"),
    "port of 5000 digits": (BASE.replace("port: 8080", "port: " + "1" * 5000), "21:11",
                            "a number of 5000 characters"),
    "hex of 100 digits": ("version: 0x" + "f" * 100 + "\n", "1:10", "a number of 102"),
    "billion laughs by bytes": (BOMB, "4:35", "with its aliases written out the document is"
                                " over 1048576 bytes"),
    "a large env repeated": (
        BASE.replace("    port: 8080\n", "    port: 8080\n    deploy:\n      env: &e\n"
                     + "".join(f"        K{i}: '{'x' * 1000}'\n" for i in range(300)))
        .replace("    port: 8081\n", "    port: 8081\n    deploy: {env: *e, replicas: 1}\n"
                 "    environments: {dev: {env: *e}, production: {env: *e}}\n"),
        "", "with its aliases written out the document is over"),
}


@pytest.mark.parametrize("name", CASES)
def test_hostile_yaml_is_a_located_error(tmp_path: Path, run_cli: RunCli, name: str) -> None:
    text, where, message = CASES[name]
    (tmp_path / "services.yaml").write_text(text)
    result = run_cli("generate", "--file", tmp_path / "services.yaml")  # raises on a traceback
    assert result.exit_code == 2, result.output
    assert f"services.yaml:{where}" in result.stderr
    assert message in result.stderr
    assert "\n    hint: " in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["services.yaml"]


def test_merge_keys_that_are_fine_still_work() -> None:
    text = BASE.replace("services:\n", "x-common: &common {stack: python}\nservices:\n")
    with pytest.raises(InputError) as raised:  # x-common is not a key of the model...
        load.loads(text.encode(), "services.yaml")
    assert [p.message for p in raised.value.problems] == ["x-common: unknown key"]
    merged = (BASE.replace("  api:\n    path: services/api\n    stack: python\n    port: 8080\n",
                           "  api:\n    <<: {stack: python, port: 8080}\n    path: services/api\n"
                           "    deploy: &d {replicas: 1, env: {A: b}}\n")
              .replace("    port: 8081\n", "    port: 8081\n    deploy: {<<: *d, replicas: 3}\n"))
    model = load.loads(merged.encode(), "services.yaml")  # ...and merging works
    api, worker = model.services["api"], model.services["worker"]
    assert (api.stack, api.port, api.deploy.replicas) == ("python", 8080, 1)
    assert (worker.deploy.replicas, worker.deploy.env) == (3, {"A": "b"})


def test_a_large_valid_file_is_within_the_limits() -> None:
    assert len(load.loads(_with_env("{A: '" + "x" * 4000 + "'}").encode(), "s").services) == 2
