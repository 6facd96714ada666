"""A Gradle-only java service (tests/containers/gradle), built for real: Debian's Gradle 4.4.1
on OpenJDK 17 in the test builder (no Maven in it), through pipelinegen's generated Dockerfile
and `pipelinegen build`, then run under its chart's security settings until its own
HEALTHCHECK reports healthy. What answers is the jar Gradle built: the service reads back the
attributes Gradle wrote into its manifest. Its own `gradle test` passes offline too."""

from __future__ import annotations

import json
import shutil
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from pipelinegen.core import load
from tests.support import bases, demo

FIXTURE = Path(__file__).parent / "gradle"
GRADLE = "4.4.1"  # Debian bookworm's
CLASS_MAJOR_17 = 61


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory, registry: str) -> Path:
    """The fixture's repository with its model on the pinned test bases, generated."""
    root = tmp_path_factory.mktemp("gradle") / "repo"
    shutil.copytree(FIXTURE, root)
    text = (FIXTURE / "services.yaml").read_text()
    for placeholder, value in (("REGISTRY", registry), ("HELM_TEST", bases.ensure("static")),
                               ("JDK", bases.ensure("java-gradle-build")),
                               ("JRE", bases.ensure("java"))):
        text = text.replace(f": {placeholder}\n", f": {value}\n", 1)
    (root / "services.yaml").write_text(text)
    demo.run_pipelinegen(root, "generate", check=True)
    return root


@pytest.fixture(scope="module")
def image(repo: Path, registry: str) -> str:
    tag = f"gradle-{uuid.uuid4().hex[:8]}"
    done = demo.run_pipelinegen(repo, "build", "tally", "--tag", tag, check=True)
    assert f"{registry}/tally:{tag}" in done.stdout
    return f"{registry}/tally:{tag}"


def values(repo: Path) -> dict[str, object]:
    loaded: dict[str, object] = YAML(typ="safe").load(
        (repo / "generated/helm/tally/values.yaml").read_text())
    return loaded


@pytest.fixture(scope="module")
def container(repo: Path, image: str) -> Iterator[str]:
    """The image run the way its chart runs it: the chart's numeric user and memory limit,
    read-only root, /tmp in memory (its emptyDir), no capabilities, no privilege escalation."""
    chart = values(repo)
    security, resources = chart["podSecurity"], chart["resources"]
    assert isinstance(security, dict) and isinstance(resources, dict)
    name = f"pipelinegen-test-tally-{uuid.uuid4().hex[:8]}"
    demo.docker("run", "-d", "--name", name, "-p", "127.0.0.1::8090",
                "--user", f"{security['runAsUser']}:{security['runAsGroup']}",
                "--memory", resources["limits"]["memory"].replace("Mi", "m"),
                "--read-only", "--tmpfs", "/tmp:rw,nosuid,nodev,size=64m",
                "--cap-drop", "ALL", "--security-opt", "no-new-privileges", image)
    yield name
    demo.docker("rm", "-f", name, check=False)




def get(name: str, path: str) -> tuple[int, str]:
    port = demo.docker("port", name, "8090").split()[0].rsplit(":", 1)[1]
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_jar_in_the_image_is_gradles_compiled_for_java_17(image: str, tmp_path: Path) -> None:
    name = f"pipelinegen-test-tally-jar-{uuid.uuid4().hex[:8]}"
    demo.docker("create", "--name", name, image)
    try:
        demo.docker("cp", f"{name}:/app/app.jar", str(tmp_path / "app.jar"))
    finally:
        demo.docker("rm", "-f", name, check=False)
    with zipfile.ZipFile(tmp_path / "app.jar") as jar:
        manifest = jar.read("META-INF/MANIFEST.MF").decode()
        main = jar.read("com/printloop/tally/Tally.class")
        record = jar.read("com/printloop/tally/Tally$Run.class")
    assert f"Built-By-Gradle: {GRADLE}" in manifest
    assert "Main-Class: com.printloop.tally.Tally" in manifest
    # The class file's major version (bytes 6-7): 61 is Java 17's, and a record needs 16+.
    assert int.from_bytes(main[6:8], "big") == CLASS_MAJOR_17
    assert b"java/lang/Record" in record


def test_the_gradle_image_turns_healthy_under_the_chart_settings_and_answers(
        container: str, image: str) -> None:
    state = demo.healthy(container)
    status = Path(f"/proc/{state['Pid']}/status").read_text()
    uids = next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1:]
    assert uids[0] == "10001" and all(uid != "0" for uid in uids)
    config = json.loads(demo.docker("image", "inspect", image))[0]["Config"]
    assert config["Cmd"][-2:] == ["-jar", "/app/app.jar"]
    assert get(container, "/about") == (200, f"tally 0.3.0 built by Gradle {GRADLE}\n")
    assert get(container, "/sum?runs=500,%20250") == (200, '{"sheets": 750}\n')
    assert get(container, "/sum?runs=500,-1")[0] == 400


def test_the_services_own_gradle_test_passes_offline(repo: Path, tmp_path: Path) -> None:
    """The model's `test` command, run from the service's directory as CI runs it; JUnit 4
    comes from Debian's maven-repo."""
    command = load.load(repo / "services.yaml").services["tally"].test
    assert command == ["gradle", "test"]
    shutil.copytree(FIXTURE / "services/tally", tmp_path / "tally")
    demo.docker("run", "--rm", "--network", "none", "-v", f"{tmp_path}:/w", "-w", "/w/tally",
                bases.ensure("java-gradle-build"), *command)
    report = (tmp_path / "tally/build/test-results/test/TEST-com.printloop.tally.TallyTest.xml")
    assert 'tests="2" skipped="0" failures="0" errors="0"' in report.read_text()


def test_the_gradle_service_gets_gradles_dependabot_ecosystem(repo: Path) -> None:
    updates = YAML(typ="safe").load((repo / ".github/dependabot.yml").read_text())["updates"]
    assert {"package-ecosystem": "gradle", "directory": "/services/tally"} in [
        {key: update[key] for key in ("package-ecosystem", "directory")} for update in updates]
