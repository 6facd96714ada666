"""The stack registry (pipelinegen/stacks/): the one list of stacks the schema, the model and
every emitter ask."""

from __future__ import annotations

import json
import pkgutil
from pathlib import Path

import pytest

from pipelinegen import stacks
from pipelinegen.core.model import Service
from tests.support.paths import REPO

SCHEMA = json.loads((REPO / "specs" / "services.schema.json").read_text())


def test_the_schema_lists_the_registry_stacks_in_its_order() -> None:
    stack = SCHEMA["$defs"]["Service"]["properties"]["stack"]
    assert stack["enum"] == list(stacks.NAMES)


def test_every_stack_module_is_registered() -> None:
    helpers = {"base", "detection", "grpcprobe", "httpd", "instructions", "lcov"}
    modules = {info.name for info in pkgutil.iter_modules(stacks.__path__)} - helpers
    assert modules == set(stacks.NAMES)


@pytest.mark.parametrize("name", stacks.NAMES)
def test_a_stack_has_a_suggested_image_for_each_default_base(name: str) -> None:
    stack = stacks.get(name)
    for base in stack.bases or ():
        image = stacks.base_image(base).image("1.0")
        assert ":" in image and "{" not in image


@pytest.mark.parametrize("name", stacks.NAMES)
def test_only_a_generated_dockerfile_copies_files(name: str) -> None:
    stack = stacks.get(name)
    assert stack.own_dockerfile == (stack.bases is None)
    if stack.own_dockerfile:
        assert stack.files == () and stack.toolchain is None


@pytest.mark.parametrize("name", stacks.NAMES)
def test_the_model_accepts_each_registered_stack(name: str) -> None:
    own = {"dockerfile": "services/x/Dockerfile"} if stacks.get(name).own_dockerfile else {}
    service = Service.model_validate({"path": "services/x", "stack": name, "port": 8080, **own})
    assert service.stack == name
    assert (service.base_names() == (None, None)) == stacks.get(name).own_dockerfile


def test_an_unregistered_stack_is_refused() -> None:
    with pytest.raises(ValueError) as refused:
        Service.model_validate({"path": "services/x", "stack": "cobol", "port": 8080})
    assert all(repr(name) in str(refused.value) for name in stacks.NAMES)


def test_every_stack_with_dependencies_names_a_dependabot_ecosystem() -> None:
    """A stack CI installs dependencies for has an ecosystem Dependabot knows; the static site
    and a service's own Dockerfile have none pipelinegen could name."""
    import check_jsonschema

    vendored = Path(check_jsonschema.__file__).parent / "builtin_schemas/vendor/dependabot.json"
    known = json.loads(vendored.read_text())["definitions"]["package-ecosystem-values"]["enum"]
    named = {name: stacks.get(name).dependabot for name in stacks.NAMES}
    assert named == {"python": "pip", "node": "npm", "go": "gomod", "static": None,
                     "java": "maven", "rust": "cargo", "dotnet": "nuget", "dockerfile": None}
    assert all(ecosystem in known for ecosystem in named.values() if ecosystem)


def test_every_stack_has_a_detector_of_its_own_rank() -> None:
    """init finds every stack's projects, and one stack's manifests always win a directory."""
    ranks = [stack.detector.rank for stack in stacks.STACKS.values() if stack.detector]
    assert set(stacks.detectors()) == set(stacks.NAMES)
    assert len(set(ranks)) == len(ranks)


@pytest.mark.parametrize(("stack", "path", "project"), [
    ("go", "services/api/go.mod", ("services/api", 0)),
    ("go", "go.mod", ("", 0)),
    ("go", "services/api/go.sum", None),
    ("dotnet", "services/cart/cartservice.csproj", ("services/cart", 0)),
    ("dotnet", "services/cart/csproj", None),
    ("static", "web/site/public/index.html", ("web/site", 0)),
    ("static", "public/index.html", ("", 0)),
    ("static", "web/notpublic/index.html", None),
    ("dockerfile", "tools/proxy/Dockerfile", ("tools/proxy", 0)),
    # Listed before build.gradle: a directory with both is shown by its pom.xml.
    ("java", "services/ledger/pom.xml", ("services/ledger", 0)),
    ("java", "services/ledger/build.gradle", ("services/ledger", 1)),
])
def test_a_detector_names_the_project_a_manifest_shows(stack: str, path: str,
                                                       project: tuple[str, int] | None) -> None:
    assert stacks.detectors()[stack].project_of(path) == project
