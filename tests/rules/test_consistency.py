"""The `consistency` rule reads the files on disk: Dockerfile, chart values and the rendered
objects must agree on port, health path, image repository and uid/gid. The Dockerfiles here
are fixtures that follow the Dockerfile contract (EXPOSE, USER uid:gid, exec-form HEALTHCHECK on
http://127.0.0.1:<port><path>)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelinegen import validate
from pipelinegen.errors import Problem
from pipelinegen.validate import dockerfacts
from pipelinegen.validate.consistency import repository_of
from tests.support import charts
from tests.support.charts import context, dockerfile


def _check(repo: Path) -> list[Problem]:
    return validate.run(context(repo), ["consistency"])


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_dockerfile_facts_come_from_the_runtime_stage() -> None:
    facts = dockerfacts.facts("FROM a AS build\nEXPOSE 1\nUSER 0\n" + dockerfile(8080, "/hz"))
    assert facts.expose == dockerfacts.Fact("8080", 8)
    assert facts.user == dockerfacts.Fact("10001:10001", 9)
    assert facts.health_port == dockerfacts.Fact("8080", 10)
    assert facts.health_path == dockerfacts.Fact("/hz", 10)


def test_image_repository_of_a_reference() -> None:
    assert repository_of("ghcr.io/a/api:0.1.0") == "ghcr.io/a/api"
    assert repository_of("127.0.0.1:5000/api@sha256:" + "0" * 64) == "127.0.0.1:5000/api"
    assert repository_of("127.0.0.1:5000/api") == "127.0.0.1:5000/api"


@pytest.mark.helm
def test_consistent_files_pass(repo: Path) -> None:
    assert _check(repo) == []


# A hand edit of a generated Dockerfile: (service, text, replacement, instruction, fragments
# the message must hold).
DOCKERFILE_EDITS = {
    "expose": ("renderer", "EXPOSE 8090", "EXPOSE 9000", "EXPOSE", ("EXPOSE is 9000", "8090")),
    "user": ("web", "USER 10001:10001", "USER 10002:10002", "USER", ("10001:10001",)),
    "healthcheck": ("web", "3000/health'", "3000/ready'", "HEALTHCHECK",
                    ("HEALTHCHECK path is /ready",)),
}


@pytest.mark.helm
@pytest.mark.parametrize("edit", DOCKERFILE_EDITS.values(), ids=DOCKERFILE_EDITS.keys())
def test_a_hand_edited_dockerfile_is_reported_at_the_instruction(
    repo: Path, edit: tuple[str, str, str, str, tuple[str, ...]]
) -> None:
    service, old, new, instruction, fragments = edit
    path = repo / f"generated/docker/{service}.Dockerfile"
    charts.edit(path, old, new)
    [problem] = _check(repo)
    assert (problem.file, problem.line) == (f"generated/docker/{service}.Dockerfile",
                                            _line_of(path, instruction))
    assert all(fragment in problem.message for fragment in fragments), problem.message


@pytest.mark.helm
def test_a_hand_edited_values_port_is_reported_in_values_and_render(repo: Path) -> None:
    path = repo / "generated/helm/api/values.yaml"
    charts.edit(path, "port: 8080", "port: 9090")
    found = _check(repo)
    values = [p for p in found if p.file == "generated/helm/api/values.yaml"]
    assert [(p.line, p.col) for p in values] == [(_line_of(path, "port: 9090"), 7)]
    assert "is 9090" in values[0].message and "8080" in values[0].message
    rendered = {p.file for p in found} - {"generated/helm/api/values.yaml"}
    assert rendered == {"generated/helm/api/templates/deployment.yaml",
                        "generated/helm/api/templates/service.yaml"}


@pytest.mark.helm
def test_a_hand_edited_target_port_is_reported_at_the_template_line(repo: Path) -> None:
    path = repo / "generated/helm/docs/templates/service.yaml"
    charts.edit(path, "targetPort: {{ .Values.protocol }}", "targetPort: 8081")
    found = _check(repo)
    assert {(p.file, p.line) for p in found} == {
        ("generated/helm/docs/templates/service.yaml", _line_of(path, "targetPort"))}
    assert "targetPort 8081" in found[0].message


@pytest.mark.helm
def test_a_hand_edited_probe_and_user_in_a_template_are_reported(repo: Path) -> None:
    helpers = repo / "generated/helm/worker/templates/_helpers.tpl"
    charts.edit(helpers, "runAsUser: {{ .Values.podSecurity.runAsUser }}", "runAsUser: 10005")
    charts.edit(helpers, "path: {{ .Values.health }}", "path: /live")
    found = _check(repo)
    assert {p.file for p in found} == {"generated/helm/worker/templates/deployment.yaml"}
    messages = " ".join(p.message for p in found)
    assert "startupProbe checks /live" in messages
    assert "runAsUser is 10005" in messages


@pytest.mark.helm
def test_an_environment_pointing_at_another_repository_is_reported(repo: Path) -> None:
    path = repo / "generated/helm/api/values-production.yaml"
    path.write_text(path.read_text() + "image:\n  repository: docker.io/someone/api\n")
    found = _check(repo)
    in_values = [p for p in found if p.file.endswith("values-production.yaml")]
    assert [p.line for p in in_values] == [_line_of(path, "repository:")]
    assert "ghcr.io/printloop/api" in in_values[0].message
    assert any(p.file.endswith("templates/deployment.yaml") and "image" in p.message
               for p in found)


@pytest.mark.helm
def test_a_missing_dockerfile_is_reported_not_a_crash(repo: Path) -> None:
    (repo / "generated/docker/worker.Dockerfile").unlink()
    [problem] = _check(repo)
    assert problem.file == "generated/docker/worker.Dockerfile"
    assert "no Dockerfile for service 'worker'" in problem.message


def _own_dockerfile(repo: Path, service: str, text: str) -> Path:
    """Make `service` a `stack: dockerfile` service with `text` as its own Dockerfile."""
    model = repo / "services.yaml"
    charts.edit(model, f"  {service}:\n    path: services/{service}\n    stack: python\n",
          f"  {service}:\n    path: services/{service}\n    stack: dockerfile\n"
          f"    dockerfile: services/{service}/Dockerfile\n")
    # CI measures no coverage of an own Dockerfile's tests: no gate of its own.
    text_now = model.read_text()
    start = text_now.index(f"  {service}:\n")
    end = text_now.index("\n\n", start)
    block = re.sub(r"    min_coverage: [^\n]*\n", "", text_now[start:end] + "\n")
    model.write_text(text_now[:start] + block.rstrip("\n") + text_now[end:])
    path = repo / f"services/{service}/Dockerfile"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


SHELL_LESS = ("FROM gcr.io/distroless/static-debian12:nonroot@sha256:" + "1" * 64 + "\n"
              "COPY app /app\nUSER 10001:10001\nEXPOSE {port}\nCMD [\"/app\"]\n")


@pytest.mark.helm
@pytest.mark.parametrize("service", ["stock", "api"], ids=["grpc", "http-shell-less"])
def test_an_own_dockerfile_without_healthcheck_is_not_asked_for_an_http_one(
        repo: Path, service: str) -> None:
    port = {"stock": 50051, "api": 8080}[service]
    _own_dockerfile(repo, service, SHELL_LESS.format(port=port))
    found = [p for p in _check(repo) if p.file.endswith("Dockerfile")]
    assert found == []


@pytest.mark.helm
def test_an_own_dockerfile_is_told_to_be_edited_not_generated(repo: Path) -> None:
    path = _own_dockerfile(repo, "stock", SHELL_LESS.format(port=50051).replace(
        "USER 10001:10001", "USER app"))
    [problem] = [p for p in _check(repo) if p.file.endswith("Dockerfile")]
    assert (problem.file, problem.line) == ("services/stock/Dockerfile", _line_of(path, "USER"))
    assert "USER is app" in problem.message
    assert problem.hint.startswith("edit services/stock/Dockerfile") and "generate" not in \
        problem.hint


@pytest.mark.helm
def test_a_grpc_probe_pointing_elsewhere_is_reported(repo: Path) -> None:
    path = repo / "generated/docker/stock.Dockerfile"
    charts.edit(path, '"127.0.0.1:50051"', '"127.0.0.1:50052"')
    [problem] = _check(repo)
    assert problem.line == _line_of(path, "HEALTHCHECK")
    assert "127.0.0.1:50052" in problem.message


@pytest.mark.helm
def test_a_grpc_probe_and_an_exec_probe_in_a_template_are_checked(repo: Path) -> None:
    charts.edit(repo / "generated/helm/stock/values.yaml", "healthService: printloop.Stock",
          "healthService: printloop.Other")
    charts.edit(repo / "generated/helm/courier/values.yaml", "- courier.alive", "- courier.other")
    found = _check(repo)
    messages = " ".join(p.message for p in found)
    assert "grpc port 50051 service 'printloop.Other'" in messages
    assert "checks python -m courier.other" in messages
