"""Incremental rendering (reuse.py) gives exactly the files of a full render.

The property: after a generate, change random fields of a random service (or of the project),
generate, change again; the plan built from the disk and its manifest equals, byte for byte,
the plan rendered from nothing. A chart key that missed something a chart reads (another
service's port, its callers, a project setting) fails it.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pipelinegen.core import cache as caching
from pipelinegen.generation import plan, reuse
from pipelinegen.generation.workspace import Workspace
from tests.support.gitrepo import REPO_ROOT
from tests.support.incremental import (
    Data,
    bundled_tree,
    generate,
    incremental_and_full,
    synthetic_tree,
    write_model,
)

Change = Callable[[Data, st.DataObject], None]


def _service(data: Data, draw: st.DataObject) -> Data:
    name = draw.draw(st.sampled_from(sorted(data["services"])), label="service")
    return dict(data["services"][name], _name=name)


def _set(data: Data, name: str, service: Data) -> None:
    service.pop("_name", None)
    data["services"][name] = service


def change_service(field: Callable[[Data, Data, st.DataObject], None]) -> Change:
    def change(data: Data, draw: st.DataObject) -> None:
        service = copy.deepcopy(_service(data, draw))
        name = service["_name"]
        field(data, service, draw)
        _set(data, name, service)
    return change


def _port(data: Data, service: Data, draw: st.DataObject) -> None:
    service["port"] = draw.draw(st.integers(1024, 65000), label="port")


def _callers(data: Data, service: Data, draw: st.DataObject) -> None:
    others = sorted(set(data["services"]) - {service["_name"]})
    service["callers"] = sorted(draw.draw(st.sets(st.sampled_from(others), max_size=3),
                                          label="callers"))


def _replicas(data: Data, service: Data, draw: st.DataObject) -> None:
    service.setdefault("deploy", {})["replicas"] = draw.draw(st.integers(1, 9), label="replicas")


def _env(data: Data, service: Data, draw: st.DataObject) -> None:
    value = draw.draw(st.sampled_from(["1", "on", "debug", "a b", "x:y"]), label="env")
    service.setdefault("deploy", {}).setdefault("env", {})["EXTRA_SETTING"] = value


def _owners(data: Data, service: Data, draw: st.DataObject) -> None:
    service["owners"] = [f"@acme/team-{draw.draw(st.integers(0, 99), label='team'):02d}"]


def _version(data: Data, service: Data, draw: st.DataObject) -> None:
    service["app_version"] = f"1.{draw.draw(st.integers(0, 9), label='minor')}.0"


def _override(data: Data, service: Data, draw: st.DataObject) -> None:
    env = draw.draw(st.sampled_from([e["name"] for e in data["project"]["environments"]]),
                    label="environment")
    service.setdefault("environments", {}).setdefault(env, {})["replicas"] = draw.draw(
        st.integers(1, 9), label="override")


def _budget(data: Data, service: Data, draw: st.DataObject) -> None:
    service["image_size_budget"] = f"{draw.draw(st.integers(10, 900), label='mb')}MB"


def _ingress(data: Data, service: Data, draw: st.DataObject) -> None:
    deploy = service.setdefault("deploy", {})
    if deploy.pop("ingress", None) is None:
        deploy["ingress"] = {"host": f"{service['_name']}.changed.example"}


def _removed(data: Data, draw: st.DataObject) -> None:
    if len(data["services"]) > 2:
        name = draw.draw(st.sampled_from(sorted(data["services"])), label="removed")
        del data["services"][name]
        for other in data["services"].values():
            if name in other.get("callers", []):
                other["callers"] = [c for c in other["callers"] if c != name]


def _registry(data: Data, draw: st.DataObject) -> None:
    data["project"]["registry"] = draw.draw(st.sampled_from(["ghcr.io/other", "ghcr.io/acme2"]),
                                            label="registry")


CHANGES: list[Change] = [
    *(change_service(field) for field in (_port, _callers, _replicas, _env, _owners, _version,
                                          _override, _budget, _ingress)),
    _removed, _registry,
]


@pytest.fixture(scope="module", params=["synthetic", "bundled"])
def tree(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> tuple[Path, Data]:
    root = tmp_path_factory.mktemp(request.param) / "repo"
    data = synthetic_tree(root, 12) if request.param == "synthetic" else bundled_tree(root)
    generate(root)
    return root, data


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
@given(draw=st.data())
def test_incremental_render_is_byte_identical_to_a_full_one(
        tree: tuple[Path, Data], draw: st.DataObject) -> None:
    root, original = tree
    first, second = copy.deepcopy(original), None
    draw.draw(st.sampled_from(CHANGES), label="first change")(first, draw)
    second = copy.deepcopy(first)
    draw.draw(st.sampled_from(CHANGES), label="second change")(second, draw)
    assume(write_model(root, first))
    try:
        generate(root)  # the manifest now records the first change's keys
        assume(write_model(root, second))
        incremental, full = incremental_and_full(root)
        assert incremental.files == full.files
    finally:
        assert write_model(root, original)
        restored = generate(root)
    assert restored.files == plan.make(
        Workspace.locate(root / "services.yaml", root).inputs).files


def test_a_noop_reuses_every_chart_and_a_change_renders_only_its_own(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    data = synthetic_tree(root, 9)
    generate(root)
    incremental, full = incremental_and_full(root)
    charts = [path for path in full.files if path.startswith("generated/helm/")]
    assert sorted(incremental.reused) == sorted(charts)
    # svc-0004 lists svc-0003 among its callers: svc-0003's chart reads svc-0004's port.
    data["services"]["svc-0004"]["port"] = 9999
    assert write_model(root, data)
    incremental, full = incremental_and_full(root)
    assert incremental.files == full.files
    rendered = {path.split("/")[2] for path in charts if path not in incremental.reused}
    assert rendered == {"svc-0003", "svc-0004"}


@pytest.mark.parametrize("damage", ["format", "version", "inputs", "code", "edited"])
def test_any_doubt_renders_in_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   damage: str) -> None:
    root = tmp_path / "repo"
    synthetic_tree(root, 3)
    generate(root)
    manifest = root / plan.MANIFEST
    recorded = json.loads(manifest.read_text())
    edited = root / "generated/helm/svc-0001/values.yaml"
    if damage == "format":
        recorded["format"] = reuse.FORMAT + 1
    elif damage == "version":
        recorded["version"] = "0.0.0-other"
    elif damage == "inputs":
        del recorded["inputs"]
    elif damage == "code":  # pipelinegen edited since (an editable install keeps its version)
        monkeypatch.setattr(caching, "code_digest", lambda: "edited")
    else:
        edited.write_text(edited.read_text() + "# edited\n")
    if damage in ("format", "version", "inputs"):
        manifest.write_text(json.dumps(recorded))
    incremental, full = incremental_and_full(root)
    assert incremental.files == full.files
    if damage == "edited":  # only the edited chart is rendered again, and is out of date
        assert not any(path.startswith("generated/helm/svc-0001/") for path in incremental.reused)
        assert any(path.startswith("generated/helm/svc-0000/") for path in incremental.reused)
        ws = Workspace.locate(root / "services.yaml", root)
        assert "generated/helm/svc-0001/values.yaml" in ws.compare().update
    else:
        assert not incremental.reused


def test_a_chart_template_edited_without_a_new_version_is_never_hidden_by_reuse(
        tmp_path: Path) -> None:
    """pipelinegen's own code, copied and edited as in a development checkout: the version
    stays, the code digest does not, so `check` renders the charts and finds them stale."""
    package = tmp_path / "code"
    shutil.copytree(REPO_ROOT / "pipelinegen", package / "pipelinegen",
                    ignore=shutil.ignore_patterns("__pycache__"))
    root = tmp_path / "repo"
    synthetic_tree(root, 2)

    def run(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pipelinegen", command], cwd=root,
                              env={**os.environ, "PYTHONPATH": str(package)},
                              capture_output=True, text=True, check=False)

    assert run("generate").returncode == 0
    assert run("check").returncode == 0
    workload = package / "pipelinegen/emit/helm/workload.py"
    marker = '{{- define "svc.dnsEgress" -}}\n'
    assert marker in workload.read_text()
    workload.write_text(workload.read_text().replace(marker, marker + "{{- /* edited */}}\n"))
    done = run("check")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "generated/helm/svc-0000/templates/_helpers.tpl" in done.stdout + done.stderr
