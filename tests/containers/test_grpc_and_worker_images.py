"""The gRPC demo (stock) and the portless demo (courier), built by the real `pipelinegen build`,
run under the chart's security settings (numeric uid, read-only root, tmpfs /tmp, no
capabilities, no privilege escalation) until their own HEALTHCHECK reports healthy.

stock's HEALTHCHECK is pipelinegen's grpc probe; a grpc.health.v1 check made here with grpcio's
own health stub, independent of the probe, must then answer SERVING.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.support import demo
from tests.support.demo import Built

HARDENED = ("--user", "10001:10001", "--read-only", "--tmpfs", "/tmp:rw,nosuid,nodev,size=64m",
            "--cap-drop", "ALL", "--security-opt", "no-new-privileges")


@pytest.fixture(scope="module")
def started(built: Built) -> Iterator[dict[str, str]]:
    names = {"stock": "pipelinegen-test-grpc-stock", "courier": "pipelinegen-test-courier"}
    for name, container in names.items():
        demo.docker("rm", "-f", container, check=False)
        publish = ("-p", "127.0.0.1::50051") if name == "stock" else ()
        demo.docker("run", "-d", "--name", container, *HARDENED, *publish, built.images[name])
    yield names
    for container in names.values():
        demo.docker("rm", "-f", container, check=False)




def test_grpc_image_turns_healthy_and_answers_serving(started: dict[str, str]) -> None:
    container = started["stock"]
    state = demo.healthy(container)
    log = state["Health"]["Log"]  # type: ignore[index]
    assert log[-1]["ExitCode"] == 0
    config = json.loads(demo.docker("inspect", container))[0]["Config"]
    assert config["Healthcheck"]["Test"][1] == "/usr/local/bin/pipelinegen-grpc-probe"
    port = demo.docker("port", container, "50051").split()[0].rsplit(":", 1)[1]
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for service in ("", "printloop.Stock"):
            answer = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=10)
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
        level = channel.unary_unary("/printloop.Stock/Level")(b'{"paper": "premium"}', timeout=10)
        assert json.loads(level) == {"paper": "premium", "sheets": 3500}


def test_the_probe_in_the_image_fails_for_an_unknown_service(started: dict[str, str]) -> None:
    demo.healthy(started["stock"])
    done = demo.docker("exec", started["stock"], "/usr/local/bin/pipelinegen-grpc-probe",
                       "-addr", "127.0.0.1:50051", "-service", "printloop.Nothing", check=False)
    assert "SERVING" not in done


def test_portless_worker_turns_healthy_by_its_health_command(started: dict[str, str]) -> None:
    container = started["courier"]
    demo.healthy(container)
    config = json.loads(demo.docker("inspect", container))[0]["Config"]
    assert not config.get("ExposedPorts")
    assert config["Healthcheck"]["Test"] == ["CMD", "python", "-m", "courier.alive"]
    # The health command means it: without a recent heartbeat it fails.
    stale = json.loads(demo.docker("inspect", container))[0]["State"]["Pid"]
    assert stale > 0
    exit_code = demo.docker("exec", "-e", "HEARTBEAT_FILE=/tmp/none", container, "sh", "-c",
                            "python -m courier.alive; echo $?", check=False).strip()
    assert exit_code == "1"
