"""The cost lines of a review, for changes of pricing, clusters, autoscaling and services."""

from __future__ import annotations

from pipelinegen.cost.delta import compare
from pipelinegen.load import loads
from pipelinegen.model import Model
from tests.support.paths import REPO

TEXT = (REPO / "services.yaml").read_text()


def model(old: str = "", new: str = "") -> Model:
    text = TEXT.replace(old, new) if old else TEXT
    assert old in TEXT
    return loads(text.encode(), "services.yaml")


def test_a_profile_change_prices_every_row_again_and_says_why() -> None:
    after = model("profile: eks-fargate", "profile: gke-autopilot")
    lines = [d.summary() for d in compare(model(), after, {})]
    # Fargate 0.25 vCPU / 0.5 GB -> Autopilot 0.25 vCPU / 0.5 GiB at Google's prices:
    # (0.25 x 0.0445 + 0.5 x 0.0049225) x 730 = $9.92 a pod against $9.01.
    assert lines[0] == "api: +$0.91/month: pricing eks-fargate -> gke-autopilot in dev"
    # Every service in each of the three environments.
    assert len(lines) == 3 * len(model().services)
    assert all("pricing eks-fargate -> gke-autopilot" in x for x in lines)


def test_clusters_and_autoscaling_changes() -> None:
    after = model("    clusters: 1\n", "    clusters: 2\n")
    assert [d.summary() for d in compare(model(), after, {})] == [
        "clusters: +$73.00/month: clusters 1 -> 2"]
    after = model("autoscaling: {min_replicas: 3, max_replicas: 10, target_cpu: 70}",
                  "autoscaling: {min_replicas: 4, max_replicas: 10, target_cpu: 70}")
    # ceil(4 x 140 / 70) = 8 pods instead of 6.
    assert [d.summary() for d in compare(model(), after, {})] == [
        "api: +$18.02/month: replicas 3-10 (expected 6) -> 4-10 (expected 8) in production"]


def test_a_renamed_service_is_compared_with_its_old_self() -> None:
    after = model("  docs:\n    path: services/docs", "  help:\n    path: services/docs")
    assert compare(model(), after, {"docs": "help"}) == []
    lines = [d.summary() for d in compare(model(), after, {})]
    assert "docs: -$18.02/month: removed in dev" in lines
    assert "help: +$18.02/month: added in production" in lines
    assert [d.summary() for d in compare(None, model(), {})][:1] == [
        "api: +$9.01/month: added in dev"]
