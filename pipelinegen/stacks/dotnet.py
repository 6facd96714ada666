"""The dotnet stack: `dotnet restore` of the project file alone, `dotnet publish`, and a chiseled
(shell-less) ASP.NET runtime.

The restore runs before any source is copied, with NuGet's package folder as a cache mount, so
a source-only change reuses it. The runtime listens where ASPNETCORE_HTTP_PORTS says (the
service's port) and runs as the project's numeric uid, not the image's `app` user (APP_UID
1654): the chart and every image run as one uid >= 10000, and a chiseled image needs no passwd
entry for it. Its health probe is a small published program (pipelinegen/data/
pipelinegen-probe.cs) run by the runtime's own `dotnet`: a chiseled image has no curl.
"""

from __future__ import annotations

import re

from pipelinegen.core import layout
from pipelinegen.stacks import detection
from pipelinegen.stacks.base import NeededFile, Service, Stack, Stages, Toolchain
from pipelinegen.stacks.detection import Detector, Files, Guess, Project
from pipelinegen.stacks.instructions import copy_depends_on, run

PROBE_SOURCE = f"{layout.DOCKER}/pipelinegen-probe.cs"
PROBE_PROJECT = f"{layout.DOCKER}/pipelinegen-probe.csproj"
PROBE_DIR = "/opt/pipelinegen-probe"
NUGET = "--mount=type=cache,target=/root/.nuget/packages"
ENV = "ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1"


def stages(name: str, service: Service, url: str) -> Stages:
    return Stages(
        build=[
            ENV,
            f"COPY {PROBE_PROJECT} {PROBE_SOURCE} /src/probe/",
            run(f"{NUGET} dotnet publish /src/probe/pipelinegen-probe.csproj"
                " --configuration Release --output /out/probe"),
            *copy_depends_on(service, "/src"),
            f"WORKDIR /src/{service.path}",
            f"COPY {service.path}/*.csproj ./",
            run(f"{NUGET} dotnet restore"),
            f"COPY {service.path}/ ./",
            run(f"{NUGET} dotnet publish --no-restore --configuration Release --output /out/app",
                f"-p:UseAppHost=false -p:AssemblyName={name}"),
        ],
        runtime=[
            # The port as ASP.NET reads it; PORT (set below) is for everything else.
            f"ENV ASPNETCORE_HTTP_PORTS={service.port}",
            f"COPY --from=build /out/probe {PROBE_DIR}",
            "COPY --from=build /out/app /app/",
        ],
        health=["dotnet", f"{PROBE_DIR}/pipelinegen-probe.dll", url],
        command=["dotnet", f"/app/{name}.dll"],
        extra_context=(PROBE_SOURCE, PROBE_PROJECT),
        ignored=(f"{service.path}/**/bin", f"{service.path}/**/obj"),  # build output
        # ASP.NET's content root (appsettings.json, wwwroot/) is the working directory.
        workdir="/app",
    )


# --- pipelinegen init: a project's manifests -------------------------------------------------


def detect(tree: Files, project: Project) -> None:
    text = tree.read(project.manifest) or ""
    if found := re.search(r"<TargetFramework>net([0-9]+\.[0-9]+)", text):
        project.version = Guess(found.group(1), f"TargetFramework in {project.manifest}")
    if "Microsoft.NET.Sdk.Web" in text or "<OutputType>Exe" in text:
        project.entry = f"{project.manifest} builds an executable"
    tests = sorted(path for path in tree.under(project.path, ".csproj")
                   if "Microsoft.NET.Test.Sdk" in (tree.read(path) or ""))
    if tests and detection.parent(tests[0]) != project.path:  # a test project of its own
        where = detection.parent(tests[0]).removeprefix(detection.join(project.path))
        project.test = Guess(["dotnet", "test", where], f"{tests[0]} is a test project")
    else:
        project.test = Guess(["dotnet", "test"], ".NET's test runner")


STACK = Stack(
    name="dotnet",
    bases=("dotnet-sdk", "aspnet"),
    stages=stages,
    # Any name: the assembly is named after the service at publish.
    files=(NeededFile("*.csproj", "run `dotnet new web` there (one project file per service"
                                  " directory; tests in a project of their own below it)"),),
    # No coverage gate yet: the tests run as given.
    toolchain=Toolchain(
        setup="actions/setup-dotnet", version_input="dotnet-version", default_version="10.0",
        images=("sdk", "aspnet", "runtime"), cache_paths="~/.nuget/packages\n",
        cache_key_files="'**/packages.lock.json', '**/*.csproj'", install="dotnet restore\n",
        test_prefix=(), coverage=None, figure=None),
    base_images={"dotnet-sdk": "mcr.microsoft.com/dotnet/sdk:{version}",
                 "aspnet": "mcr.microsoft.com/dotnet/aspnet:{version}-noble-chiseled"},
    # XML comments cannot hold the regenerate command's `--` options: the project file has no
    # header.
    shipped={PROBE_SOURCE: ("pipelinegen-probe.cs", "//"),
             PROBE_PROJECT: ("pipelinegen-probe.csproj", None)},
    codeql="csharp",
    dependabot="nuget",
    runtime_packages=False,  # chiseled: no apt, no shell
    runtime_holds="the chiseled ASP.NET image holds CA certificates, glibc, libstdc++, OpenSSL"
                  " and zlib (name its -noble-chiseled-extra tag as the aspnet base for ICU"
                  " and tzdata)",
    detector=Detector(("*.csproj",), detect, rank=4, code=(".cs",), grpc=("Grpc.AspNetCore",)),
)
