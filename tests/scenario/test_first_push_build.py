"""A new user's first push, the build side: a 4-service monorepo in a real git repository,
built by the real `pipelinegen build` on the Docker engine, its generated CI read back.

Each test states the issue item it holds to (issue 12: 2, 7, 13, 14).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from pipelinegen import layout, load
from tests.support import bases, demo, monorepo
from tests.support.gitrepo import commit_all

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return monorepo.make(tmp_path_factory.mktemp("scenario") / "shopfront")


def ci_build_step(root: Path) -> dict[str, str]:
    workflow = YAML(typ="safe").load((root / ".github/workflows/ci.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    return next(step for step in steps if step["name"] == "Build the image")["with"]


def test_ci_builds_every_service_from_the_dockerfile_and_context_build_uses(repo: Path) -> None:
    """Item 2: CI and `pipelinegen build` agree on (Dockerfile, context); the own Dockerfile,
    which copies from its own directory, builds."""
    from pipelinegen.emit.workflows import matrix

    model = load.load(repo / "services.yaml")
    step = ci_build_step(repo)
    # The build step reads its leg's Dockerfile and context, which the matrix carries.
    assert (step["file"], step["context"]) == ("${{ matrix.dockerfile }}", "${{ matrix.context }}")
    for name in model.services:
        spec = layout.image_source(model, name)
        leg = matrix.entry(model, name)
        assert (leg["dockerfile"], leg["context"]) == (spec.dockerfile, spec.context), name
    assert layout.image_source(model, "legacy").context == "services/legacy"
    done = monorepo.pipelinegen(repo, "build", "legacy", "--tag", "scenario")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{monorepo.REGISTRY}/legacy:scenario" in done.stdout


def test_affected_follows_the_own_dockerfile(repo: Path, tmp_path: Path) -> None:
    """Item 2: affected asks the same definition (the own Dockerfile and its .dockerignore)."""
    clone = tmp_path / "clone"
    shutil.copytree(repo, clone)
    base = commit_all(clone, "nothing")
    (clone / "services/legacy/Dockerfile.dockerignore").write_text("*.md\n")
    commit_all(clone, "ignore notes in the legacy build")
    done = monorepo.pipelinegen(clone, "affected", "--base", base, check=True)
    assert done.stdout.split() == ["legacy"]


def test_build_names_the_missing_lock_file_before_buildkit(repo: Path, tmp_path: Path) -> None:
    """Item 13: a missing package-lock.json is named, with the command that writes it."""
    clone = tmp_path / "clone"
    shutil.copytree(repo, clone)
    (clone / "services/web/package-lock.json").unlink()
    done = monorepo.pipelinegen(clone, "build", "web", "--tag", "scenario")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "services/web/package-lock.json, which does not exist" in done.stderr
    assert "npm install" in done.stderr and "Traceback" not in done.stderr
    assert "==> building" not in done.stdout  # BuildKit never started


def test_helm_test_image_comes_from_bases_and_pin_manages_it(repo: Path, tmp_path: Path) -> None:
    """Item 7: the `helm test` pod's image is the `helm-test` base; `pin` re-pins it."""
    clone = tmp_path / "clone"
    shutil.copytree(repo, clone)
    model = load.load(clone / "services.yaml")
    values = YAML(typ="safe").load((clone / "generated/helm/api/values.yaml").read_text())
    assert values["tests"]["image"] == model.bases["helm-test"]
    # An unpinned tag: pin resolves it against the registry, generate carries it to the chart.
    pinned = bases.ensure("python")
    tag_only = pinned.split("@")[0]
    text = (clone / "services.yaml").read_text()
    (clone / "services.yaml").write_text(
        re.sub(r"(?m)^  helm-test: .*$", f"  helm-test: {tag_only}", text))
    monorepo.pipelinegen(clone, "pin", check=True)
    assert f"  helm-test: {pinned}\n" in (clone / "services.yaml").read_text()
    monorepo.pipelinegen(clone, "generate", check=True)
    values = YAML(typ="safe").load((clone / "generated/helm/api/values.yaml").read_text())
    assert values["tests"]["image"] == pinned


def test_a_model_without_the_helm_test_base_is_refused(repo: Path, tmp_path: Path) -> None:
    """Item 7: no hard-coded fallback: the missing base is named with the line to add."""
    clone = tmp_path / "clone"
    shutil.copytree(repo, clone)
    text = (clone / "services.yaml").read_text()
    (clone / "services.yaml").write_text(re.sub(r"(?m)^  helm-test: .*\n", "", text))
    done = monorepo.pipelinegen(clone, "generate")
    assert done.returncode == 2
    assert "the helm test image 'helm-test' is not declared in bases" in done.stderr
    assert "add 'helm-test: docker.io/nginxinc/nginx-unprivileged:1.27-alpine@sha256:" in (
        done.stderr)


def test_sbom_of_an_image_not_in_the_engine_says_so_and_pulls_only_when_asked(
        repo: Path, tmp_path: Path) -> None:
    """Item 14: the local engine only by default; --pull fetches it from its registry."""
    image = f"{monorepo.REGISTRY}/sbom-subject:scenario"
    demo.docker("tag", bases.ensure("static"), image)
    demo.docker("push", image)
    demo.docker("rmi", image)
    output = tmp_path / "sbom.cdx.json"
    done = monorepo.pipelinegen(repo, "sbom", image, "--output", str(output))
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"image {image} is not in the local Docker engine" in done.stderr
    assert "--pull" in done.stderr and not output.exists()
    assert image not in demo.docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}")
    done = monorepo.pipelinegen(repo, "sbom", image, "--pull", "--output", str(output))
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(output.read_text())["bomFormat"] == "CycloneDX"
    demo.docker("rmi", image, check=False)


def test_a_port_change_reaches_the_app_and_the_smoke_test_proves_it(
        repo: Path, tmp_path: Path) -> None:
    """Item 4: `port` becomes PORT in the image and the chart; build starts the image as the
    chart runs it (non-root, read-only, no capabilities) and waits for its health check."""
    clone = tmp_path / "clone"
    shutil.copytree(repo, clone)
    text = (clone / "services.yaml").read_text()
    (clone / "services.yaml").write_text(text.replace("    port: 8080\n", "    port: 8181\n"))
    monorepo.pipelinegen(clone, "generate", check=True)
    assert "ENV PORT=8181\n" in (clone / "generated/docker/api.Dockerfile").read_text()
    deployment = (clone / "generated/helm/api/templates/deployment.yaml")
    assert "- name: PORT" in deployment.read_text()
    done = monorepo.pipelinegen(clone, "build", "api", "--tag", "port")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(rf"smoke test of {re.escape(monorepo.REGISTRY)}/api:port: healthy after",
                     done.stdout), done.stdout


def test_an_image_that_ignores_port_fails_its_smoke_test_with_its_last_logs(
        repo: Path, tmp_path: Path) -> None:
    """Item 4: the smoke test fails the build, naming why, with the container's last lines."""
    clone = tmp_path / "clone"
    shutil.copytree(repo, clone)
    app = clone / "services/legacy/app.py"
    app.write_text('print("listening on 5999, whatever PORT says", flush=True)\n'
                   + app.read_text().replace('int(os.environ.get("PORT", "5000"))', "5999"))
    done = monorepo.pipelinegen(clone, "build", "legacy", "--tag", "noport")
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"smoke test of {monorepo.REGISTRY}/legacy:noport failed: the container was" \
           " reported unhealthy by its HEALTHCHECK" in done.stderr
    assert "listening on 5999, whatever PORT says" in done.stderr
    assert "Traceback" not in done.stderr
    left = demo.docker("ps", "-a", "--filter", "label=org.pipelinegen.smoke-test", "-q")
    assert not left.strip()  # the container was removed


def test_ci_installs_the_pipelinegen_version_the_manifest_records(repo: Path) -> None:
    """Item 1: the install line of every generated job is the version that wrote the files."""
    manifest = json.loads((repo / "generated/.pipelinegen-manifest.json").read_text())
    wanted = f"pipelinegen[docker]=={manifest['version']}"
    for name in ("ci.yml", "pipelinegen.yml"):  # deploy.yml runs no pipelinegen
        data = YAML(typ="safe").load((repo / ".github/workflows" / name).read_text())
        installs = [step["env"]["REQUIREMENT"] for job in data["jobs"].values()
                    for step in job.get("steps", []) if step.get("name") == "Install pipelinegen"]
        assert installs and set(installs) == {wanted}, name
