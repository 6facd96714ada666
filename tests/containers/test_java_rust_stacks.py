"""The java stack's build script and the rust stack's layer split, run for real: in the java
test builder (Debian's OpenJDK 17 and Maven) and through `pipelinegen build`; a java image whose
runtime.workdir and runtime files moved."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from pipelinegen.core import load
from pipelinegen.core.inputs import Inputs
from pipelinegen.emit.dockerfile import shipped_file
from pipelinegen.stacks import java
from tests.support import bases, demo
from tests.support.demo import Built

LEDGER = demo.REPO / "services/ledger"
SCRIPT = java.BUILD_SCRIPT.rpartition("/")[2]
# A wrapper that records that it ran, then is the build tool (Maven here). The gradlew stand-in
# builds the jars a Gradle build would, to test the script's jar choice; real Gradle (Debian's,
# in another builder) is built with in test_gradle_image.py.
MVNW = 'echo "mvnw $*" >> wrapper.log\nexec mvn "$@"\n'
GRADLEW = """echo "gradlew $*" >> wrapper.log
mkdir -p build/classes build/libs
printf 'public class App { public static void main(String[] a) {} }\\n' > App.java
javac -d build/classes App.java
printf 'Main-Class: App\\n' > manifest.txt
jar --create --file build/libs/app-0.1.jar --manifest manifest.txt -C build/classes .
jar --create --file build/libs/app-0.1-plain.jar -C build/classes .
"""


def run_script(workdir: Path, *tool: str, check: bool = True) -> str:
    """The shipped build script in the java builder, on workdir/svc, writing workdir/out (with
    the build tool a service names, if given)."""
    text = shipped_file(Inputs(load.load(demo.REPO / "services.yaml"), "services.yaml"),
                        java.BUILD_SCRIPT)
    (workdir / SCRIPT).write_text(text)
    argv = ["run", "--rm", "--network", "none", "-v", f"{workdir}:/w", "-w", "/w/svc",
            bases.ensure("java-build"), "sh", f"/w/{SCRIPT}", "/w/out", *tool]
    if check:
        return demo.docker(*argv)
    done = subprocess.run([bases.docker_cli(), *argv], capture_output=True, text=True,
                          check=False)
    assert done.returncode != 0, done.stdout
    return done.stderr


def layers(out: Path) -> dict[str, list[str]]:
    return {layer: sorted(p.name for p in (out / layer).iterdir()) for layer in java.LAYERS}


def test_maven_through_the_projects_own_wrapper(tmp_path: Path) -> None:
    shutil.copytree(LEDGER, tmp_path / "svc", ignore=shutil.ignore_patterns("target"))
    (tmp_path / "svc/mvnw").write_text(MVNW)
    run_script(tmp_path)
    assert (tmp_path / "svc/wrapper.log").read_text().startswith("mvnw --batch-mode")
    assert layers(tmp_path / "out") == {"dependencies": [], "spring-boot-loader": [],
                                        "snapshot-dependencies": [], "application": ["app.jar"]}
    started = demo.docker("run", "--rm", "--network", "none", "-v", f"{tmp_path}/out:/app",
                          "--entrypoint", "jar", bases.ensure("java-build"), "tf",
                          "/app/application/app.jar")
    assert "com/printloop/ledger/Ledger.class" in started


def test_gradle_through_gradlew_takes_the_runnable_jar_not_the_plain_one(tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/build.gradle.kts").write_text("plugins { java }\n")
    (tmp_path / "svc/gradlew").write_text(GRADLEW)
    run_script(tmp_path)
    assert (tmp_path / "svc/wrapper.log").read_text().startswith("gradlew --no-daemon")
    built = (tmp_path / "svc/build/libs/app-0.1.jar").read_bytes()
    assert (tmp_path / "out/application/app.jar").read_bytes() == built


def test_an_older_spring_boot_jar_stays_whole(tmp_path: Path) -> None:
    """A jar with Boot's layer index whose jar mode cannot extract (no Boot 3.3 loader in it)
    is run whole, not half-extracted."""
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/build.gradle").write_text("")
    (tmp_path / "svc/gradlew").write_text(GRADLEW.replace(
        "-C build/classes .\njar --create --file build/libs/app-0.1-plain.jar",
        "-C build/classes . -C boot .\njar --create --file build/libs/app-0.1-plain.jar").replace(
        "mkdir -p build/classes build/libs",
        "mkdir -p build/classes build/libs boot/BOOT-INF\n"
        "printf -- '- \"application\":\\n' > boot/BOOT-INF/layers.idx"))
    run_script(tmp_path)
    assert (tmp_path / "out/application/app.jar").read_bytes() == (
        tmp_path / "svc/build/libs/app-0.1.jar").read_bytes()
    assert layers(tmp_path / "out")["dependencies"] == []


def test_no_build_file_and_two_runnable_jars_are_refused(tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    assert "no pom.xml, build.gradle or build.gradle.kts" in run_script(tmp_path, check=False)
    (tmp_path / "svc/build.gradle").write_text("")
    (tmp_path / "svc/gradlew").write_text(GRADLEW.replace("app-0.1-plain.jar", "other.jar"))
    assert "expected one runnable jar in build/libs, found 2" in run_script(tmp_path, check=False)


def test_the_build_tool_a_service_names_wins_over_the_pom(tmp_path: Path) -> None:
    """A directory with both build files is built with Maven, unless the service names Gradle;
    a named tool whose build file is missing is refused."""
    shutil.copytree(LEDGER, tmp_path / "svc", ignore=shutil.ignore_patterns("target"))
    (tmp_path / "svc/build.gradle").write_text("")
    (tmp_path / "svc/gradlew").write_text(GRADLEW)
    (tmp_path / "svc/mvnw").write_text(MVNW)
    run_script(tmp_path, "gradle")
    assert (tmp_path / "svc/wrapper.log").read_text().startswith("gradlew --no-daemon")
    assert (tmp_path / "out/application/app.jar").read_bytes() == (
        tmp_path / "svc/build/libs/app-0.1.jar").read_bytes()
    (tmp_path / "svc/wrapper.log").unlink()
    run_script(tmp_path)
    assert (tmp_path / "svc/wrapper.log").read_text().startswith("mvnw --batch-mode")
    (tmp_path / "svc/pom.xml").unlink()
    assert "build_tool maven, but no pom.xml" in run_script(tmp_path, "maven", check=False)
    assert "unknown build tool 'ant'" in run_script(tmp_path, "ant", check=False)


@pytest.mark.slow
def test_a_rust_source_change_reaches_the_image(
        built: Built, tmp_path: Path, base_refs: dict[str, str], registry: str,
        scratch_names: list[str]) -> None:
    """The real sources are older than the throwaway main the dependencies were built against:
    the build must still compile them (cargo decides by modification time)."""
    repo = demo.make_repo(tmp_path / "repo", base_refs, registry)
    main = repo / "services/imposer/src/main.rs"
    marker = f"fine {uuid.uuid4().hex[:8]}"
    main.write_text(main.read_text().replace('(200, "ok\\n".to_string())',
                                             f'(200, "{marker}\\n".to_string())', 1))
    demo.run_pipelinegen(repo, "build", "imposer", "--tag", "changed", check=True)
    name = f"pipelinegen-test-imposer-{uuid.uuid4().hex[:8]}"
    scratch_names.append(name)
    demo.docker("run", "-d", "--name", name, "-p", "127.0.0.1::8060",
                f"{registry}/imposer:changed")
    port = demo.docker("port", name, "8060").split()[0].rsplit(":", 1)[1]
    for _ in range(50):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as reply:
                assert reply.read().decode() == f"{marker}\n"
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(demo.docker("logs", name))


@pytest.mark.parametrize(("service", "base", "passed"), [
    ("ledger", "java-build", "Tests run: 3, Failures: 0, Errors: 0"),
    ("imposer", "rust-build", "test result: ok. 3 passed"),
])
def test_the_demo_services_own_tests_pass_offline_with_the_debian_toolchains(
        tmp_path: Path, service: str, base: str, passed: str) -> None:
    """The bundled model's `test` command, run from the service's directory as CI runs it."""
    command = load.load(demo.REPO / "services.yaml").services[service].test
    shutil.copytree(demo.REPO / "services" / service, tmp_path / service,
                    ignore=shutil.ignore_patterns("target"))
    output = demo.docker("run", "--rm", "--network", "none", "-v", f"{tmp_path}:/w",
                         "-w", f"/w/{service}", bases.ensure(base), *command)
    assert passed in output, output[-3000:]


@pytest.mark.slow
def test_a_java_image_runs_its_jar_in_another_workdir_beside_its_runtime_files(
        tmp_path: Path, base_refs: dict[str, str], registry: str) -> None:
    """runtime.workdir moves the working directory and the runtime files, not the jar: the
    image built by `pipelinegen build` gets healthy (its smoke test) and holds the file there,
    owned by root and readable by the numeric user."""
    repo = demo.make_repo(tmp_path / "repo", base_refs, registry)
    (repo / "services/ledger/conf").mkdir()
    (repo / "services/ledger/conf/fees.properties").write_text("card=0.029\n")
    source = repo / "services.yaml"
    text = source.read_text()
    assert "\n  ledger:\n    path: services/ledger\n" in text
    source.write_text(text.replace(
        "\n  ledger:\n    path: services/ledger\n",
        "\n  ledger:\n    path: services/ledger\n"
        "    runtime: {workdir: /srv/ledger, files: [conf/]}\n", 1))
    demo.run_pipelinegen(repo, "generate", check=True)
    done = demo.run_pipelinegen(repo, "build", "ledger", "--tag", "workdir", check=True)
    assert "ledger" in done.stdout
    image = f"{registry}/ledger:workdir"
    assert demo.docker("image", "inspect", "--format", "{{.Config.WorkingDir}}",
                       image).strip() == "/srv/ledger"
    shown = demo.docker("run", "--rm", "--network", "none", "--entrypoint", "sh", image, "-c",
                        "cat conf/fees.properties && stat -c %u:%a conf/fees.properties"
                        " && id -u && ls /app")
    assert shown.splitlines()[:3] == ["card=0.029", "0:644", "10001"]
    assert "app.jar" in shown.splitlines()[3:]
