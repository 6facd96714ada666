"""Rounding rules of the shipped profiles at their edges, and overrides from the model."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipelinegen.core.cost_settings import Instance, Prices, ProjectCost, Rules
from pipelinegen.core.errors import PipelinegenError
from pipelinegen.cost import pricing

D = Decimal
MI = D(1) / 1024  # one MiB in GiB


def fargate(cpu: str, mem_gib: Decimal) -> tuple[Decimal, Decimal]:
    billed = pricing.shipped("eks-fargate").bill(D(cpu), mem_gib)
    assert billed.hourly == billed.vcpu * D("0.04048") + billed.gib * D("0.004445")
    return billed.vcpu, billed.gib


@pytest.mark.parametrize(("cpu", "mib", "expected"), [
    # 256 MiB are added to every pod: 256 + 256 fills the smallest configuration exactly ...
    ("0.25", 256, (D("0.25"), D("0.5"))),
    # ... one MiB more needs the next memory size.
    ("0.25", 257, (D("0.25"), D(1))),
    ("0.25", 1792, (D("0.25"), D(2))),
    # 0.25 vCPU tops out at 2 GB: 1793 MiB + 256 is over it, so 0.5 vCPU with 3 GB.
    ("0.25", 1793, (D("0.5"), D(3))),
    ("0.251", 128, (D("0.5"), D(1))),  # a millicore over 0.25 vCPU: the 0.5 vCPU sizes
    ("0", 0, (D("0.25"), D("0.5"))),  # nothing requested: the smallest configuration
    # The user guide's own example: 1 vCPU and 8 GB + 256 MB do not fit 1 vCPU (8 GB at most).
    ("1", D(8) * 1024, (D(2), D(9))),
    ("8", D(57) * 1024, (D(8), D(60))),  # 8 vCPU sizes go in 4 GB steps: 57.25 -> 60
    ("16", D(119) * 1024, (D(16), D(120))),
])
def test_fargate_rounds_up_to_the_cheapest_listed_configuration(
    cpu: str, mib: int | Decimal, expected: tuple[Decimal, Decimal]
) -> None:
    assert fargate(cpu, D(mib) * MI) == expected


def test_fargate_refuses_a_pod_larger_than_any_configuration() -> None:
    with pytest.raises(PipelinegenError, match="no eks-fargate configuration holds 16"):
        fargate("16", D(120) * 1024 * MI)
    with pytest.raises(PipelinegenError, match="holds 17"):
        fargate("17", D(1))


def autopilot(cpu: str | None, gib: str | None) -> tuple[Decimal, Decimal]:
    billed = pricing.shipped("gke-autopilot").bill(
        None if cpu is None else D(cpu), None if gib is None else D(gib))
    assert billed.hourly == billed.vcpu * D("0.0445") + billed.gib * D("0.0049225")
    return billed.vcpu, billed.gib


@pytest.mark.parametrize(("cpu", "gib", "expected"), [
    ("0.249", "0.5", ("0.25", "0.5")),  # below the minimum: raised to it
    ("0.25", "0.499", ("0.25", "0.5")),
    ("0.25", "0.5", ("0.25", "0.5")),  # on the minimum: kept
    ("0.251", "0.5", ("0.5", "0.5")),  # CPU in 0.25 vCPU steps
    ("1", "1", ("1", "1")),  # 1 GiB per vCPU: the lower bound of the ratio, kept
    ("1", "0.999", ("1", "1")),  # below it: memory is raised
    ("1", "6.5", ("1", "6.5")),  # 6.5 GiB per vCPU: the upper bound, kept
    ("1", "6.51", ("1.25", "6.51")),  # above it: CPU is raised, in its steps
    ("0.5", "6.5", ("1", "6.5")),  # 6.5 / 6.5 = 1 vCPU exactly
    (None, None, ("0.5", "2")),  # no requests: Autopilot's defaults
    ("1", None, ("1", "1")),  # only CPU: memory from the ratio's lower bound
    (None, "13", ("2", "13")),  # only memory: CPU from the upper bound
])
def test_autopilot_minimums_steps_and_ratio(
    cpu: str | None, gib: str | None, expected: tuple[str, str]
) -> None:
    assert autopilot(cpu, gib) == (D(expected[0]), D(expected[1]))


def test_a_node_pool_pod_costs_its_share_of_the_instance_by_the_scarcer_resource() -> None:
    profile = pricing.shipped("node-pool")  # m5.large: $0.096 an hour, 2 vCPU, 8 GiB
    assert profile.bill(D("0.5"), D(1)).hourly == D("0.096") * D("0.25")  # CPU: 1/4
    assert profile.bill(D("0.1"), D(4)).hourly == D("0.096") * D("0.5")  # memory: 1/2
    assert profile.bill(D(1), D(4)).hourly == D("0.048")  # both a half


def test_the_model_overrides_prices_rules_and_the_instance() -> None:
    profile = pricing.for_project(ProjectCost(
        profile="gke-autopilot",
        prices=Prices(vcpu_hour=0.05, cluster_hour=0),
        rules=Rules(min_vcpu=0.05, vcpu_step=0.05),
    ))
    billed = profile.bill(D("0.06"), D("0.1"))
    assert (billed.vcpu, billed.gib) == (D("0.10"), D("0.5"))
    assert billed.hourly == D("0.10") * D("0.05") + D("0.5") * D("0.0049225")
    assert profile.cluster_monthly(3) == 0
    pool = pricing.for_project(ProjectCost(
        profile="node-pool", instance=Instance(type="e2-standard-4", hour=0.134012, vcpu=4,
                                               memory_gib=16)))
    assert pool.bill(D(1), D(1)).hourly == D("0.134012") / 4


def test_every_shipped_profile_names_its_region_date_and_sources() -> None:
    for name in ("eks-fargate", "gke-autopilot", "node-pool"):
        profile = pricing.shipped(name)
        assert profile.region and profile.checked == "2026-12-02"
        assert profile.sources and all(url.startswith("https://") for url in profile.sources)
        assert profile.cluster_monthly(1) == D("73.00")
