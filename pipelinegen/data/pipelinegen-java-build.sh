# pipelinegen-java-build: builds a Java service's jar in its directory and splits it into the
# four directories the runtime stage copies one by one (dependencies, spring-boot-loader,
# snapshot-dependencies, application), so a change of the code alone re-sends only the last.
#
#   sh pipelinegen-java-build.sh OUT [maven|gradle]
#
# Maven (pom.xml) or Gradle (build.gradle, build.gradle.kts), through the service's own wrapper
# (mvnw, gradlew) when it has one: the tool the service names (its `build_tool`), else Maven
# when there is a pom.xml. A Spring Boot 3.3+ jar (BOOT-INF/layers.idx) is extracted
# into its layers with Boot's `tools` jar mode; an older Boot jar or any other jar is the
# application layer as it is. Either way the runtime runs `java -jar /app/app.jar`.
set -eu
out="$1"
tool="${2:-}"

if [ -z "$tool" ]; then
    if [ -f pom.xml ]; then
        tool=maven
    elif [ -f build.gradle ] || [ -f build.gradle.kts ]; then
        tool=gradle
    else
        echo "pipelinegen-java-build: no pom.xml, build.gradle or build.gradle.kts in $(pwd)" >&2
        exit 1
    fi
fi
case "$tool" in
    maven)
        if [ ! -f pom.xml ]; then
            echo "pipelinegen-java-build: build_tool maven, but no pom.xml in $(pwd)" >&2
            exit 1
        fi
        if [ -f mvnw ]; then set -- sh ./mvnw; else set -- mvn; fi
        "$@" --batch-mode --no-transfer-progress -DskipTests package
        built=target
        ;;
    gradle)
        if [ ! -f build.gradle ] && [ ! -f build.gradle.kts ]; then
            echo "pipelinegen-java-build: build_tool gradle, but no build.gradle or" \
                "build.gradle.kts in $(pwd)" >&2
            exit 1
        fi
        if [ -f gradlew ]; then set -- sh ./gradlew; else set -- gradle; fi
        "$@" --no-daemon --console=plain -x test assemble
        built=build/libs
        ;;
    *)
        echo "pipelinegen-java-build: unknown build tool '$tool' (maven or gradle)" >&2
        exit 1
        ;;
esac

# The runnable jar: not the plain, sources or javadoc jars beside it, nor Maven's original-*.
jars=$(find "$built" -maxdepth 1 -name '*.jar' ! -name '*-plain.jar' ! -name '*-sources.jar' \
    ! -name '*-javadoc.jar' ! -name 'original-*.jar' | sort)
count=$(printf '%s\n' "$jars" | grep -c . || true)
if [ "$count" -ne 1 ]; then
    echo "pipelinegen-java-build: expected one runnable jar in $built, found $count:" >&2
    printf '%s\n' "$jars" >&2
    exit 1
fi
jar="$jars"

layers="dependencies spring-boot-loader snapshot-dependencies application"
rm -rf "$out"
# Boot 3.3+ extracts application/<name>.jar with its lib/ in the dependency layers. A jar
# whose main class ignores the jar mode exits 0 having extracted nothing: look, not trust.
if jar tf "$jar" | grep -qx 'BOOT-INF/layers.idx' \
    && java -Djarmode=tools -jar "$jar" extract --layers --destination "$out" >&2 \
    && [ "$(find "$out/application" -maxdepth 1 -name '*.jar' 2>/dev/null | wc -l)" -eq 1 ]
then
    mv "$out"/application/*.jar "$out/application/app.jar"
else
    # Not Boot, or before Boot 3.3 (`layertools` layers start only through Boot's launcher
    # class, not `java -jar`): the jar stays whole.
    rm -rf "$out"
    mkdir -p "$out/application"
    cp "$jar" "$out/application/app.jar"
fi
for layer in $layers; do
    mkdir -p "$out/$layer"
done
