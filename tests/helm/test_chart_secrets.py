"""Secrets appear in generated output only as references (names of Secrets and keys), never as
values: no Secret object, no value in a ConfigMap, no `value:` on a secret variable."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.charts import MODEL, ROOT, sdk_scenarios_objects

SECRET_NAMES = sorted({ref.secret for svc in MODEL.services.values()
                       for env in [None, *MODEL.project.environment_names()]
                       for ref in (svc.deploy_for(env) if env else svc.deploy).secrets.values()})
SECRET_VARS = sorted({var for svc in MODEL.services.values()
                      for var in svc.deploy.secrets})


def _strings(node: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    if isinstance(node, dict):
        return [item for key, value in node.items() for item in _strings(value, (*path, key))]
    if isinstance(node, list):
        return [item for value in node for item in _strings(value, (*path, "[]"))]
    return [(path, node)] if isinstance(node, str) else []


def test_the_example_has_secrets_to_look_for() -> None:
    assert SECRET_NAMES == ["api-database", "api-webhooks"]


def test_generated_files_mention_secrets_only_as_references() -> None:
    files = sorted((ROOT / "generated").rglob("*"))
    mentions = 0
    for path in files:
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for name in SECRET_NAMES:
                if re.search(rf"\b{re.escape(name)}\b", line):
                    mentions += 1
                    # values files hold a Secret's name under `secret:`, and, per environment,
                    # the ExternalSecret that syncs it from the store's path: nothing else.
                    assert line.strip() in (f"secret: {name}", f"- name: {name}",
                                            f"remoteKey: {MODEL.project.name}/"
                                            f"{path.stem.removeprefix('values-')}/{name}"), \
                        f"{path}:{number}: {line}"
    assert mentions > 0


@pytest.mark.helm
def test_rendered_objects_reference_secrets_and_never_hold_them() -> None:
    references = 0
    for _, objects in sdk_scenarios_objects(ROOT):
        for obj in objects:
            assert obj.kind != "Secret"
            # With a store each release syncs its own copy, <service>-<secret>.
            synced = {f"{obj.body['metadata']['labels']['app.kubernetes.io/instance']}-{name}"
                      for name in SECRET_NAMES}
            for path, value in _strings(obj.body):
                if value in SECRET_NAMES or value in synced:
                    assert path[-2:] == ("secretKeyRef", "name") or (
                        obj.kind == "ExternalSecret" and path in (
                            ("metadata", "name"), ("spec", "target", "name"))), (obj.name, path)
                    references += 1
            for container in obj.body.get("spec", {}).get("template", {}).get(
                    "spec", {}).get("containers", []):
                for entry in container.get("env") or []:
                    if entry["name"] in SECRET_VARS:
                        assert "value" not in entry and "secretKeyRef" in entry["valueFrom"]
            if obj.kind == "ConfigMap":
                assert not set(obj.body["data"]) & set(SECRET_VARS)
    assert references > 0
