"""The review comment shows what a change costs a month, per service and environment."""

from __future__ import annotations

import json
import math
from fractions import Fraction

from tests.support.review import Repo, change_replicas

# Published Fargate prices (us-east-1, pipelinegen/data/pricing/eks-fargate.json): per
# vCPU-hour and per GB-hour; a month is 730 hours.
VCPU_HOUR, GB_HOUR, HOURS = Fraction("0.04048"), Fraction("0.004445"), 730


def monthly(vcpu: str, gb: str, pods: int) -> Fraction:
    exact = (Fraction(vcpu) * VCPU_HOUR + Fraction(gb) * GB_HOUR) * pods * HOURS
    return Fraction(math.floor(exact * 100 + Fraction(1, 2)), 100)  # to the cent, half up


def usd(amount: Fraction) -> str:
    cents = round(amount * 100)
    return f"{'+' if cents >= 0 else '-'}${abs(cents) // 100}.{abs(cents) % 100:02d}"


def _review(repo: Repo) -> tuple[str, dict[str, object]]:
    repo.generate()
    repo.commit("change")
    markdown = repo.review("--base", "HEAD~1", "--head", "HEAD", "--format", "markdown")
    report = json.loads(repo.review("--base", "HEAD~1", "--head", "HEAD", "--format", "json"))
    return markdown, report


def test_a_replicas_change_shows_its_monthly_cost(repo: Repo) -> None:
    change_replicas(repo)  # api.deploy.replicas 2 -> 3: only staging runs the fixed count
    markdown, report = _review(repo)
    # api requests 100m / 128Mi; + 256 MiB on Fargate -> 0.25 vCPU / 0.5 GB per pod.
    delta = monthly("0.25", "0.5", 3) - monthly("0.25", "0.5", 2)
    line = f"api: {usd(delta)}/month: replicas 2 -> 3 in staging"
    assert line == "api: +$9.01/month: replicas 2 -> 3 in staging"
    assert f"#### Monthly cost\n\n- `{line}`\n\nEstimated change: **{usd(delta)}/month**" \
        in markdown
    assert [c["summary"] for c in report["costs"]] == [line]  # type: ignore[union-attr]
    text = repo.review("--base", "HEAD~1", "--head", "HEAD")
    assert f"\nmonthly cost\n  {line}\n" in text


def test_a_resources_change_shows_its_monthly_cost_in_every_environment(repo: Repo) -> None:
    repo.replace("        requests: {cpu: 250m, memory: 256Mi}\n        limits: {cpu: \"2\"",
                 "        requests: {cpu: 500m, memory: 1Gi}\n        limits: {cpu: \"2\"")
    markdown, report = _review(repo)
    # renderer: 250m / 256Mi -> 500m / 1Gi. Fargate: 0.25 vCPU / 0.5 GB before; after, 1 GiB
    # + 256 MiB needs 2 GB, the smallest 0.5 vCPU size above 1.25. 2 pods, 4 in production.
    lines = [
        f"renderer: {usd(monthly('0.5', '2', pods) - monthly('0.25', '0.5', pods))}/month: "
        f"requests.cpu 250m -> 500m, requests.memory 256Mi -> 1Gi in {env}"
        for env, pods in (("dev", 2), ("staging", 2), ("production", 4))
    ]
    assert lines[0].startswith("renderer: +$24.51/month")
    assert lines[2].startswith("renderer: +$49.02/month")
    assert "#### Monthly cost\n\n" + "".join(f"- `{line}`\n" for line in lines) in markdown
    total = sum(monthly("0.5", "2", p) - monthly("0.25", "0.5", p) for p in (2, 2, 4))
    assert f"Estimated change: **{usd(total)}/month**" in markdown
    costs = report["costs"]
    assert [(c["environment"], c["old_usd"], c["new_usd"]) for c in costs] == [  # type: ignore
        ("dev", 18.02, 42.53), ("staging", 18.02, 42.53), ("production", 36.04, 85.06)]


def test_a_change_that_costs_nothing_has_no_cost_section(repo: Repo) -> None:
    # A budget moves no estimate (and rebuilds nothing): no cost lines.
    repo.replace("budget: {production: 40}", "budget: {production: 45}")
    markdown, report = _review(repo)
    assert "Monthly cost" not in markdown
    assert report["costs"] == []
