"""Field-by-field model differences: what counts as a change, and how it reads."""

from __future__ import annotations

from pipelinegen import load
from pipelinegen.model import Model
from pipelinegen.review import modeldiff
from tests.support.review import DOCS, PROJECT_ROOT

BUNDLED = (PROJECT_ROOT / "services.yaml").read_text()


def _model(text: str) -> Model:
    return load.loads(text.encode(), "services.yaml")


def _summaries(old: str, new: str) -> dict[str, list[str]]:
    delta = modeldiff.compare(_model(old), _model(new))
    found = {"project": [c.summary for c in [*delta.project, *delta.bases.values()]]}
    found.update({name: [f"{d.status}: {c.summary}" for c in d.changes] or [d.status]
                  for name, d in delta.services.items() if d.status != "unchanged"})
    return found


def test_writing_out_a_default_is_no_change() -> None:
    explicit = BUNDLED.replace("      namespace: printloop-dev\n",
                               "      namespace: printloop-dev\n      strategy: rolling\n")
    assert explicit != BUNDLED
    assert _summaries(BUNDLED, explicit) == {"project": []}


def test_maps_compare_key_by_key_and_new_sub_settings_read_whole() -> None:
    new = BUNDLED.replace("        LOG_LEVEL: info\n", "        LOG_LEVEL: warn\n        TZ: UTC\n")
    new = new.replace("    environments:\n      dev:\n        replicas: 1\n\n  web:",
                      "    environments:\n      dev:\n        replicas: 1\n      staging:\n"
                      "        autoscaling: {min_replicas: 2, max_replicas: 4}\n\n  web:")
    assert _summaries(BUNDLED, new) == {
        "project": [],
        "api": ["changed: api.deploy.env.LOG_LEVEL: info -> warn",
                "changed: api.deploy.env.TZ: unset -> UTC"],
        "worker": ["changed: worker.environments.staging: unset -> "
                   "{autoscaling: {min_replicas: 2, max_replicas: 4, target_cpu: 75}}"],
    }


def test_environments_compare_by_name_and_order_matters() -> None:
    dev = "    - name: dev\n      namespace: printloop-dev\n"
    staging = "    - name: staging\n      namespace: printloop-staging\n      strategy: canary\n"
    swapped = BUNDLED.replace(dev + staging, staging + dev)
    assert _summaries(BUNDLED, swapped) == {"project": [
        "project.environments[order]: [dev, staging, production] -> [staging, dev, production]"]}
    added = BUNDLED.replace(dev, dev + "    - name: qa\n      namespace: printloop-qa\n")
    assert _summaries(BUNDLED, added) == {"project": [
        "project.environments.qa: unset -> "
        "{name: qa, namespace: printloop-qa, approval: false, strategy: rolling}"]}


def test_a_base_reads_as_digests_or_as_short_image_references() -> None:
    digest = "782412e85d0f0984994c290652577d4018aff08145c85b262bb63dc0c7522254"
    other = "7d1042ce588ab97019fe95c24ffca7bc5a82ccdac572511d5e09bda4435c89c5"
    retagged = BUNDLED.replace(f"python:3.12-slim-bookworm@sha256:{digest}",
                               f"gcr.io/distroless/python3-debian12:nonroot@sha256:{other}")
    assert _summaries(BUNDLED, retagged)["project"] == [
        "bases.python: python:3.12-slim-bookworm@782412e -> "
        "gcr.io/distroless/python3-debian12:nonroot@7d1042c"]
    delta = modeldiff.compare(_model(BUNDLED), _model(retagged))
    python_users = sorted(n for n, d in delta.services.items() if "python" in d.bases)
    assert python_users == ["api", "courier", "stock", "worker"]


def test_a_rename_is_a_body_kept_under_a_new_name() -> None:
    same_body = BUNDLED.replace("\n  docs:\n", "\n  help:\n")
    assert _summaries(BUNDLED, same_body) == {"project": [], "help": ["renamed"]}
    assert modeldiff.compare(_model(BUNDLED), _model(same_body)).services["help"].renamed_from \
        == "docs"
    # Three values differ: too much to be the same service; it is one removed, one added.
    moved = DOCS.replace("  docs:", "  help:").replace("services/docs", "services/help")
    moved = moved.replace("port: 8080", "port: 8082").replace("30MB", "40MB")
    assert _summaries(BUNDLED, BUNDLED.replace(DOCS, moved)) == {
        "project": [],
        "docs": ["removed: docs: removed (static, port 8080, path services/docs)"],
        "help": ["added: help: added (static, port 8082, path services/help)"],
    }
