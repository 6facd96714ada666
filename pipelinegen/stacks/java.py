"""The java stack: Maven or Gradle, the service's own wrapper (mvnw, gradlew) when it has one,
the jar split into layers that change at different rates, and a JRE-only runtime.

The build stage copies the service's directory and runs the shipped build script
(pipelinegen/data/pipelinegen-java-build.sh) with the Maven and Gradle caches mounted; the
runtime copies the four layer directories one by one (dependencies first), so a change of the
code alone re-sends only the application layer. The health probe is a compiled class run by the
runtime's own `java` (a JRE image has no curl).
"""

from __future__ import annotations

import re

from pipelinegen.core import layout
from pipelinegen.stacks import detection
from pipelinegen.stacks.base import BuildTool, NeededFile, Service, Stack, Stages, Toolchain
from pipelinegen.stacks.detection import Detector, Files, Guess, Project
from pipelinegen.stacks.instructions import copy_depends_on, run

PROBE_SOURCE = f"{layout.DOCKER}/PipelinegenProbe.java"
BUILD_SCRIPT = f"{layout.DOCKER}/pipelinegen-java-build.sh"
PROBE_DIR = "/opt/pipelinegen-probe"
LAYERS = ("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")
CACHES = "--mount=type=cache,target=/root/.m2 --mount=type=cache,target=/root/.gradle"
# Heap from the container's memory limit; the probe starts the JVM small and quick.
JAVA = ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]
PROBE_JVM = ["java", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xss512k", "-Xmx16m"]


def stages(name: str, service: Service, url: str) -> Stages:
    return Stages(
        build=[
            f"COPY {PROBE_SOURCE} /src/{PROBE_SOURCE}",
            run(f"javac -d /out/probe /src/{PROBE_SOURCE}"),
            f"COPY {BUILD_SCRIPT} /src/{BUILD_SCRIPT}",
            *copy_depends_on(service, "/src"),
            f"WORKDIR /src/{service.path}",
            f"COPY {service.path}/ ./",
            # The build tool the service names, else the one its build file shows.
            run(f"{CACHES} sh /src/{BUILD_SCRIPT} /out/app"
                + (f" {service.build_tool}" if service.build_tool else "")),
        ],
        runtime=[
            f"COPY --from=build /out/probe {PROBE_DIR}",
            *(f"COPY --from=build /out/app/{layer}/ /app/" for layer in LAYERS),
        ],
        health=[*PROBE_JVM, "-cp", PROBE_DIR, "PipelinegenProbe", url],
        command=JAVA,
        extra_context=(PROBE_SOURCE, BUILD_SCRIPT),
        ignored=tuple(f"{service.path}/{out}" for out in ("target", "build", ".gradle")),
        workdir="/app",
    )


# --- pipelinegen init: a project's manifests -------------------------------------------------


def detect(tree: Files, project: Project) -> None:
    text = tree.read(project.manifest) or ""
    found = (re.search(r"<(?:maven\.compiler\.release|java\.version|maven\.compiler\.source)>"
                       r"\s*([0-9]+)", text)
             or re.search(r"(?:languageVersion\.set\(JavaLanguageVersion\.of|"
                          r"JavaLanguageVersion\.of)\(\s*([0-9]+)", text)
             or re.search(r"sourceCompatibility\s*=\s*['\"]?(?:JavaVersion\.VERSION_)?([0-9]+)",
                          text))
    if found:
        project.version = Guess(found.group(1), f"the Java release in {project.manifest}")
    sources = tree.code(project.path, ".java", ".kt")
    if any(re.search(r"static\s+void\s+main\s*\(|fun\s+main\s*\(|@SpringBootApplication",
                     tree.read(path) or "") for path in sources):
        project.entry = "it has a main class"
    here = detection.join(project.path)
    tool = "maven" if project.manifest.endswith("pom.xml") else "gradle"
    project.build_tool = Guess(tool, f"{project.manifest} is {tool.capitalize()}'s")
    if tool == "maven":
        project.workspace = "<modules>" in text
        wrapper = tree.has(f"{here}mvnw")
        project.test = Guess(["./mvnw" if wrapper else "mvn", "--batch-mode", "test"],
                             "Maven's test phase" + (", through the project's mvnw" * wrapper))
    else:
        wrapper = tree.has(f"{here}gradlew")
        project.test = Guess(["./gradlew" if wrapper else "gradle", "test"],
                             "Gradle's test task" + (", through the project's gradlew" * wrapper))


STACK = Stack(
    name="java",
    bases=("jdk", "jre"),
    stages=stages,
    files=(NeededFile("pom.xml|build.gradle|build.gradle.kts",
                      "add the Maven pom.xml or the Gradle build file"),),
    build_tools=(
        BuildTool("maven", (NeededFile("pom.xml", "add the Maven pom.xml"),), "maven"),
        BuildTool("gradle", (NeededFile("build.gradle|build.gradle.kts",
                                        "add the Gradle build file"),), "gradle"),
    ),
    # No coverage gate yet: the tests run as given.
    toolchain=Toolchain(
        setup="actions/setup-java", version_input="java-version", default_version="17",
        # Images whose tag carries the Java version (maven:3.9-eclipse-temurin-17's is Maven's).
        images=("eclipse-temurin", "openjdk", "temurin"),
        cache_paths="~/.m2/repository\n~/.gradle/caches\n~/.gradle/wrapper\n",
        cache_key_files="'**/pom.xml', '**/*.gradle', '**/*.gradle.kts',"
                        " '**/gradle-wrapper.properties'",
        install="", test_prefix=(), coverage=None, figure=None,
        extra={"distribution": "temurin"}),
    base_images={"jdk": "maven:3.9-eclipse-temurin-{version}",
                 "jre": "eclipse-temurin:{version}-jre-jammy"},
    shipped={PROBE_SOURCE: ("PipelinegenProbe.java", "//"),
             BUILD_SCRIPT: ("pipelinegen-java-build.sh", "#")},
    codeql="java-kotlin",
    # A service that names no build_tool: Maven's, as before the model could say (the build
    # script finds the tool in the image; `pipelinegen init` writes build_tool).
    dependabot="maven",
    detector=Detector(("pom.xml", "build.gradle", "build.gradle.kts"), detect, rank=3,
                      code=(".java", ".kt"), grpc=("grpc-netty",)),
)
