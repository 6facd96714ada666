"""The CSV of the bundled model, checked by hand against the published prices."""

from __future__ import annotations

import csv
import math
import shutil
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from pipelinegen.cost import estimate as estimate_module
from pipelinegen.cost.pricing import ZERO
from pipelinegen.load import load
from tests.support.cli import RunCli
from tests.support.paths import REPO

# Published prices (pipelinegen/data/pricing/eks-fargate.json gives the sources): Fargate,
# Linux/x86, us-east-1, per vCPU-hour and per GB-hour; the EKS fee per cluster-hour.
VCPU_HOUR = Fraction("0.04048")
GB_HOUR = Fraction("0.004445")
CLUSTER_HOUR = Fraction("0.10")
HOURS = 730
# The smallest Fargate configurations (EKS user guide, "Fargate Pod configuration").
SMALL_CONFIGS = [(Fraction(1, 4), Fraction(m)) for m in ("0.5", "1", "2")] + [
    (Fraction(1, 2), Fraction(m)) for m in (1, 2, 3, 4)]


def fargate_pod_hour(cpu: Fraction, mem_gib: Fraction) -> Fraction:
    """Requests + 256 MiB, up to the cheapest configuration that holds them."""
    need = mem_gib + Fraction(1, 4)
    fits = [c * VCPU_HOUR + m * GB_HOUR for c, m in SMALL_CONFIGS if c >= cpu and m >= need]
    return min(fits)


def cents(amount: Fraction) -> str:
    """Rounded half up to the cent, as a bill does: "9.01"."""
    whole = math.floor(amount * 100 + Fraction(1, 2))
    return f"{'-' if whole < 0 else ''}{abs(whole) // 100}.{abs(whole) % 100:02d}"


# The bundled services.yaml, read by hand: requests per pod and pods per environment.
# api: 100m/128Mi, production autoscales 3..10 at target 70 with utilisation 140 -> 6 pods.
# renderer: 250m/256Mi (256 + 256 MiB is exactly the 0.5 GB of the smallest configuration).
# docs: 10m/16Mi. web, worker: the model's default requests, 100m/128Mi.
REQUESTS = {"api": ("0.1", 128), "docs": ("0.01", 16), "renderer": ("0.25", 256),
            "web": ("0.1", 128), "worker": ("0.1", 128)}
PODS = {
    "api": {"dev": 1, "staging": 2, "production": math.ceil(3 * 140 / 70)},
    "docs": {"dev": 2, "staging": 2, "production": 2},
    "renderer": {"dev": 2, "staging": 2, "production": 4},
    "web": {"dev": 1, "staging": 2, "production": 2},
    "worker": {"dev": 1, "staging": 2, "production": 2},
}
BUDGETS = {("api", "dev"): "10.00", ("api", "staging"): "20.00", ("api", "production"): "60.00",
           ("renderer", "production"): "40.00"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copy(REPO / "services.yaml", tmp_path / "services.yaml")
    return tmp_path


def test_csv_rows_of_the_bundled_model_equal_the_published_prices(
    repo: Path, run_cli: RunCli
) -> None:
    result = run_cli("cost", "--file", repo / "services.yaml")
    assert result.exit_code == 0, result.output
    rows = _rows(repo / "reports" / "costs" / "monthly_costs.csv")
    by_key = {(r["service"], r["environment"]): r for r in rows}
    total = Fraction(0)
    for service, (cpu, mib) in REQUESTS.items():
        pod = fargate_pod_hour(Fraction(cpu), Fraction(mib, 1024))
        for env, pods in PODS[service].items():
            row = by_key[(service, env)]
            assert row["replicas"] == str(pods)
            assert row["estimated_monthly_usd"] == cents(pod * pods * HOURS), (service, env)
            assert (row["vcpu"], row["gib"]) == (f"{0.25 * pods:g}", f"{0.5 * pods:g}")
            budget = BUDGETS.get((service, env), "")
            assert row["budget_usd"] == budget
            if budget:
                variance = Fraction(row["estimated_monthly_usd"]) - Fraction(budget)
                assert row["variance_usd"] == cents(variance)
            total += Fraction(row["estimated_monthly_usd"])
    # The demo services the tables above do not price again count in the total as listed.
    total += sum((Fraction(row["estimated_monthly_usd"]) for (service, _), row in by_key.items()
                  if service not in REQUESTS and service != "(clusters)"), Fraction(0))
    api = by_key[("api", "production")]
    pod = fargate_pod_hour(Fraction("0.1"), Fraction(128, 1024))
    assert (api["min_replicas"], api["max_replicas"]) == ("3", "10")
    assert api["min_monthly_usd"] == cents(pod * 3 * HOURS) == "27.03"
    assert api["max_monthly_usd"] == cents(pod * 10 * HOURS) == "90.10"
    assert api["estimated_monthly_usd"] == "54.06"
    fee = by_key[("(clusters)", "")]
    assert fee["estimated_monthly_usd"] == cents(CLUSTER_HOUR * HOURS) == "73.00"
    assert len(rows) == len(load(REPO / "services.yaml").services) * 3 + 1  # and the clusters
    assert f"total: ${cents(total + 73)} a month on eks-fargate" in result.output
    assert "api       production   6 (3-10)" in result.output


def test_the_csv_is_the_same_bytes_every_run(repo: Path, run_cli: RunCli) -> None:
    path = repo / "reports" / "costs" / "monthly_costs.csv"
    run_cli("cost", "--file", repo / "services.yaml")
    first = path.read_bytes()
    run_cli("cost", "--file", repo / "services.yaml")
    assert path.read_bytes() == first


def test_a_service_over_its_budget_exits_1_and_still_writes_the_report(
    repo: Path, run_cli: RunCli
) -> None:
    services = repo / "services.yaml"
    services.write_text(services.read_text().replace("budget: {production: 40}",
                                                     "budget: {production: 36.03}"))
    result = run_cli("cost", "--file", services)
    assert result.exit_code == 1
    assert "error: 1 over budget:\n  renderer in production: $36.04 estimated, budget $36.03" \
        " (+$0.01)" in result.output
    # Exactly at the budget is within it.
    services.write_text(services.read_text().replace("36.03", "36.04"))
    assert run_cli("cost", "--file", services).exit_code == 0
    assert (repo / "reports" / "costs" / "monthly_costs.csv").is_file()


def test_a_budget_for_an_undeclared_environment_is_located(repo: Path, run_cli: RunCli) -> None:
    services = repo / "services.yaml"
    text = services.read_text().replace("budget: {production: 40}", "budget: {prod: 40}")
    services.write_text(text)
    result = run_cli("cost", "--file", services)
    assert result.exit_code == 2
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "budget: {prod: 40}" in s)
    col = text.splitlines()[line - 1].index("40}") + 1  # the value under the key
    assert (f"services.yaml:{line}:{col}: [error] input: services.renderer.cost.budget.prod: "
            "no environment 'prod' in project.environments") in result.output
    assert "hint: use one of: dev, staging, production" in result.output
    assert not (repo / "reports").exists()


def test_utilisation_gives_the_expected_replicas_within_the_range(
    repo: Path, run_cli: RunCli
) -> None:
    services = repo / "services.yaml"
    pod = fargate_pod_hour(Fraction("0.1"), Fraction(128, 1024))
    # 3 x 230 / 70 = 9.86 -> 10 pods; 3 x 300 / 70 = 12.9 -> the maximum, 10; 10% -> the minimum.
    for utilisation, pods in (("230", 10), ("300", 10), ("10", 3), ("210", 9), ("210.1", 10)):
        services.write_text((REPO / "services.yaml").read_text().replace(
            "utilisation: {production: 140}", f"utilisation: {{production: {utilisation}}}"))
        run_cli("cost", "--file", services)
        api = {(r["service"], r["environment"]): r
               for r in _rows(repo / "reports/costs/monthly_costs.csv")}[("api", "production")]
        assert (api["replicas"], api["estimated_monthly_usd"]) == (
            str(pods), cents(pod * pods * HOURS)), utilisation


def test_an_unknown_profile_is_located_with_the_choices(repo: Path, run_cli: RunCli) -> None:
    services = repo / "services.yaml"
    text = services.read_text().replace("profile: eks-fargate", "profile: fargate")
    services.write_text(text)
    result = run_cli("cost", "--file", services)
    assert result.exit_code == 2
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "profile: fargate" in s)
    assert f"services.yaml:{line}:14: [error] input: project.cost.profile" in result.output
    assert "'eks-fargate', 'gke-autopilot' or 'node-pool'" in result.output
    assert not (repo / "reports").exists()


def test_cost_as_a_real_process(repo: Path) -> None:
    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pipelinegen", "cost"], cwd=repo,
                              capture_output=True, text=True, check=False)

    done = run()
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("service   environment  replicas  vCPU  GiB  $/month")
    assert "wrote reports/costs/monthly_costs.csv" in done.stdout
    services = repo / "services.yaml"
    services.write_text(services.read_text().replace("production: 60}", "production: 54}"))
    done = run()
    assert done.returncode == 1
    assert done.stderr == ("error: 1 over budget:\n  api in production: $54.06 estimated, "
                           "budget $54.00 (+$0.06)\nhint: raise services.<name>.cost.budget, or"
                           " change what the service runs (see 'Where to save')\n")


def test_other_resources_priced_by_a_registered_function_join_the_estimate(
    repo: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The extension point for resources a service declares (databases, buckets): each
    # registered function returns a monthly amount per service and environment.
    def database(model: object, service: str, environment: str, profile: object) -> Decimal:
        return Decimal("12.345") if (service, environment) == ("api", "production") else ZERO

    monkeypatch.setattr(estimate_module, "RESOURCE_COSTS", (database,))
    result = run_cli("cost", "--file", repo / "services.yaml")
    # They count against the budget too: $54.06 of pods + $12.35 is over the $60.
    assert result.exit_code == 1
    assert "api in production: $66.41 estimated, budget $60.00 (+$6.41)" in result.output
    api = {(r["service"], r["environment"]): r
           for r in _rows(repo / "reports/costs/monthly_costs.csv")}[("api", "production")]
    assert api["other_monthly_usd"] == "12.35"
    assert api["estimated_monthly_usd"] == f"{Decimal('54.06') + Decimal('12.35')}"
    assert (api["min_monthly_usd"], api["max_monthly_usd"]) == ("39.38", "102.45")
