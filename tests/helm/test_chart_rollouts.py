"""Rollout strategies with plain Kubernetes objects, driven only by the documented values:
image.digest, strategy, canary.digest/replicas and blueGreen.active/blue/green."""

from __future__ import annotations

from typing import Any

import pytest

from pipelinegen.validate.rendering import Rendered
from tests.support.charts import DIGEST_A, DIGEST_B, render

TRACK = "pipelinegen.dev/track"


def _deployments(objects: list[Rendered]) -> dict[str, dict[str, Any]]:
    """Deployment name -> {replicas, image, track}."""
    found = {}
    for obj in objects:
        if obj.kind == "Deployment":
            spec = obj.body["spec"]
            found[obj.name] = {
                "replicas": spec.get("replicas"),
                "image": spec["template"]["spec"]["containers"][0]["image"],
                "track": spec["template"]["metadata"]["labels"][TRACK],
            }
    return found


def _service_selector(objects: list[Rendered]) -> dict[str, str]:
    [service] = [o for o in objects if o.kind == "Service"]
    selector: dict[str, str] = service.body["spec"]["selector"]
    return selector


def _pods_selected(objects: list[Rendered]) -> dict[str, int]:
    """Deployment name -> replicas, for the Deployments whose pods the Service selects."""
    selector = _service_selector(objects)
    return {obj.name: obj.body["spec"].get("replicas", 0) for obj in objects
            if obj.kind == "Deployment"
            and selector.items() <= obj.body["spec"]["template"]["metadata"]["labels"].items()}


@pytest.mark.helm
def test_rolling_is_one_deployment_with_surge_and_no_unavailability() -> None:
    objects = render("renderer", "dev", image={"digest": DIGEST_A})
    assert _deployments(objects) == {"renderer": {
        "replicas": 2, "image": f"ghcr.io/printloop/renderer@{DIGEST_A}", "track": "stable"}}
    [deployment] = [o for o in objects if o.kind == "Deployment"]
    assert deployment.body["spec"]["strategy"] == {
        "type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}


@pytest.mark.helm
def test_canary_splits_traffic_by_replicas_and_promotion_moves_it() -> None:
    repo = "ghcr.io/printloop/renderer"
    # Before: only the stable Deployment.
    stable_only = render("renderer", "staging", image={"digest": DIGEST_A})
    assert _pods_selected(stable_only) == {"renderer": 2}

    # Step 1: the canary runs the new digest beside the stable one, behind the one Service.
    during = render("renderer", "staging", image={"digest": DIGEST_A},
                    canary={"digest": DIGEST_B, "replicas": 1})
    assert _deployments(during) == {
        "renderer": {"replicas": 2, "image": f"{repo}@{DIGEST_A}", "track": "stable"},
        "renderer-canary": {"replicas": 1, "image": f"{repo}@{DIGEST_B}", "track": "canary"},
    }
    assert TRACK not in _service_selector(during)
    assert _pods_selected(during) == {"renderer": 2, "renderer-canary": 1}  # 1/3 of traffic

    # Step 2 (promote): the stable Deployment takes the new digest, the canary is gone.
    promoted = render("renderer", "staging", image={"digest": DIGEST_B}, canary={"digest": ""})
    assert _deployments(promoted) == {
        "renderer": {"replicas": 2, "image": f"{repo}@{DIGEST_B}", "track": "stable"}}
    assert _pods_selected(promoted) == {"renderer": 2}


@pytest.mark.helm
def test_blue_green_switches_the_service_selector() -> None:
    repo = "ghcr.io/printloop/renderer"
    # Blue serves; green is deployed with the new digest and gets no traffic yet.
    deployed = render("renderer", "production", blueGreen={
        "active": "blue", "blue": {"digest": DIGEST_A}, "green": {"digest": DIGEST_B}})
    assert _deployments(deployed) == {
        "renderer-blue": {"replicas": 4, "image": f"{repo}@{DIGEST_A}", "track": "blue"},
        "renderer-green": {"replicas": 4, "image": f"{repo}@{DIGEST_B}", "track": "green"},
    }
    assert _service_selector(deployed)[TRACK] == "blue"
    assert _pods_selected(deployed) == {"renderer-blue": 4}

    # Switch: the same Deployments, the Service now selects green.
    switched = render("renderer", "production", blueGreen={
        "active": "green", "blue": {"digest": DIGEST_A}, "green": {"digest": DIGEST_B}})
    assert _deployments(switched) == _deployments(deployed)
    assert _pods_selected(switched) == {"renderer-green": 4}

    # Roll back: switch back.
    back = render("renderer", "production", blueGreen={
        "active": "blue", "blue": {"digest": DIGEST_A}, "green": {"digest": DIGEST_B}})
    assert _pods_selected(back) == {"renderer-blue": 4}


@pytest.mark.helm
def test_blue_green_active_colour_without_a_digest_runs_image_digest() -> None:
    first = render("renderer", "production", image={"digest": DIGEST_A})
    assert _deployments(first) == {"renderer-blue": {
        "replicas": 4, "image": f"ghcr.io/printloop/renderer@{DIGEST_A}", "track": "blue"}}


@pytest.mark.helm
def test_blue_green_first_install_deploys_only_the_other_colour_then_switches() -> None:
    # The deploy workflow's first run: active is the default (blue), D goes to green.
    first = render("renderer", "production", blueGreen={"green": {"digest": DIGEST_B}})
    assert _deployments(first) == {"renderer-green": {
        "replicas": 4, "image": f"ghcr.io/printloop/renderer@{DIGEST_B}", "track": "green"}}
    assert _pods_selected(first) == {}  # nothing served before, nothing serves yet
    switched = render("renderer", "production",
                      blueGreen={"active": "green", "green": {"digest": DIGEST_B}})
    assert _pods_selected(switched) == {"renderer-green": 4}


@pytest.mark.helm
def test_blue_green_autoscales_each_colour() -> None:
    objects = render("api", "production",
                     blueGreen={"blue": {"digest": DIGEST_A}, "green": {"digest": DIGEST_B}})
    hpas = {o.name: o.body["spec"]["scaleTargetRef"]["name"]
            for o in objects if o.kind == "HorizontalPodAutoscaler"}
    assert hpas == {"api-blue": "api-blue", "api-green": "api-green"}
    assert all("replicas" not in o.body["spec"] for o in objects if o.kind == "Deployment")
