"""The java stack: Maven or Gradle, the service's own wrapper (mvnw, gradlew) when it has one,
the jar split into layers that change at different rates, and a JRE-only runtime.

The build stage copies the service's directory and runs the shipped build script
(pipelinegen/data/pipelinegen-java-build.sh) with the Maven and Gradle caches mounted; the
runtime copies the four layer directories one by one (dependencies first), so a change of the
code alone re-sends only the application layer. The health probe is a compiled class run by the
runtime's own `java` (a JRE image has no curl).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipelinegen.stacks.ci import Toolchain
from pipelinegen.stacks.stage import Stack, run

if TYPE_CHECKING:
    from pipelinegen.model import Service

BUILDER, RUNTIME = "jdk", "jre"
DEFAULT_VERSION = "17"
# Images whose tag carries the Java version (maven:3.9-eclipse-temurin-17's tag is Maven's).
TOOLCHAIN_IMAGES = ("eclipse-temurin", "openjdk", "temurin")
SUGGESTED_IMAGES = {
    BUILDER: "maven:3.9-eclipse-temurin-{version}",
    RUNTIME: "eclipse-temurin:{version}-jre-jammy",
}
BUILD_FILES = "pom.xml|build.gradle|build.gradle.kts"
FILES = (BUILD_FILES,)
CREATE = {BUILD_FILES: "add the Maven pom.xml or the Gradle build file"}

PROBE_SOURCE = "generated/docker/PipelinegenProbe.java"
BUILD_SCRIPT = "generated/docker/pipelinegen-java-build.sh"
SHIPPED = {PROBE_SOURCE: ("PipelinegenProbe.java", "//"),
           BUILD_SCRIPT: ("pipelinegen-java-build.sh", "#")}
PROBE_DIR = "/opt/pipelinegen-probe"
LAYERS = ("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")
CACHES = "--mount=type=cache,target=/root/.m2 --mount=type=cache,target=/root/.gradle"
# Heap from the container's memory limit; the probe starts the JVM small and quick.
JAVA = ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]
PROBE_JVM = ["java", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xss512k", "-Xmx16m"]


def stack(name: str, service: Service, url: str) -> Stack:
    return Stack(
        build=[
            f"COPY {PROBE_SOURCE} /src/{PROBE_SOURCE}",
            run(f"javac -d /out/probe /src/{PROBE_SOURCE}"),
            f"COPY {BUILD_SCRIPT} /src/{BUILD_SCRIPT}",
            *(f"COPY {path}/ /src/{path}/" for path in service.depends_on),
            f"WORKDIR /src/{service.path}",
            f"COPY {service.path}/ ./",
            run(f"{CACHES} sh /src/{BUILD_SCRIPT} /out/app"),
        ],
        runtime=[
            "WORKDIR /app",
            f"COPY --from=build /out/probe {PROBE_DIR}",
            *(f"COPY --from=build /out/app/{layer}/ ./" for layer in LAYERS),
        ],
        health=[*PROBE_JVM, "-cp", PROBE_DIR, "PipelinegenProbe", url],
        command=JAVA,
        extra_context=(PROBE_SOURCE, BUILD_SCRIPT),
        ignored=tuple(f"{service.path}/{out}" for out in ("target", "build", ".gradle")),
    )


TOOLCHAIN = Toolchain(
    "actions/setup-java", "java-version",
    "~/.m2/repository\n~/.gradle/caches\n~/.gradle/wrapper\n",
    "'**/pom.xml', '**/*.gradle', '**/*.gradle.kts', '**/gradle-wrapper.properties'",
    "", None, None, extra={"distribution": "temurin"})
