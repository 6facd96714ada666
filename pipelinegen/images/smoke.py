"""The smoke test of `pipelinegen build`: start the image the way the chart runs it and wait for
its own HEALTHCHECK to report healthy.

As the chart: the numeric non-root uid:gid of `project.defaults`, a read-only root filesystem
with a writable tmpfs on /tmp (the chart's emptyDir), every capability dropped, no privilege
escalation, and `PORT` set to the service's port (the image sets it too). Only the health check's
interval is shortened (to 1 s), so a healthy image passes in seconds; its command, timeout,
retries and start period are the image's.
"""

from __future__ import annotations

import time
from typing import Any

from pipelinegen.core.errors import PipelinegenError
from pipelinegen.core.model import Model, Service

TIMEOUT = 90.0  # seconds for the first healthy report
LOG_LINES = 20
SECOND = 1_000_000_000  # Docker API durations are in nanoseconds


def run(client: Any, model: Model, name: str, ref: str, timeout: float = TIMEOUT) -> float:
    """Seconds until the container was healthy; PipelinegenError with its last logs if never."""
    image = client.images.get(ref)
    if not (image.attrs.get("Config") or {}).get("Healthcheck"):
        raise PipelinegenError(f"{ref} has no HEALTHCHECK, so its smoke test cannot pass",
                               "add a HEALTHCHECK to the service's Dockerfile")
    defaults = model.project.defaults
    service = model.services[name]
    port = service.port
    started = time.monotonic()
    container = client.containers.run(
        ref, detach=True, user=f"{defaults.uid}:{defaults.gid}", read_only=True,
        tmpfs={"/tmp": "rw,nosuid,nodev,size=64m"}, cap_drop=["ALL"],
        security_opt=["no-new-privileges"],
        environment={"PORT": str(port)} if port is not None else {},
        healthcheck={"interval": SECOND}, labels={"org.pipelinegen.smoke-test": name},
    )
    try:
        state = _wait(container, started + timeout)
        if state == "healthy":
            return time.monotonic() - started
        logs = container.logs(tail=LOG_LINES).decode("utf-8", "replace").rstrip()
    finally:
        container.remove(force=True)
    raise PipelinegenError(
        f"smoke test of {ref} failed: the container {state} (run as {defaults.uid}:"
        f"{defaults.gid}, read-only root filesystem, tmpfs /tmp, no capabilities, PORT={port});"
        f" its last {LOG_LINES} log lines:\n{logs or '(no output)'}",
        f"make the service {_healthy(service)} without writing outside /tmp;"
        " `--no-smoke-test` skips this check")


def _healthy(service: Service) -> str:
    """What the service must do for its HEALTHCHECK to pass."""
    if service.port is None:
        return f"pass its health command ({' '.join(service.health_command)})"
    if service.grpc:
        return (f"listen on $PORT ({service.port}) and report SERVING to a grpc.health.v1"
                f" check of {service.health_service or 'the server'!r}")
    return f"listen on $PORT ({service.port}) and answer {service.health}"


def _wait(container: Any, deadline: float) -> str:
    """'healthy', or how the container failed."""
    while True:
        container.reload()
        state = container.attrs["State"]
        health = (state.get("Health") or {}).get("Status")
        if health == "healthy":
            return "healthy"
        if health == "unhealthy":
            return "was reported unhealthy by its HEALTHCHECK"
        if not state.get("Running"):
            return f"exited with code {state.get('ExitCode')}"
        if time.monotonic() > deadline:
            return f"was not healthy within {TIMEOUT:.0f} s"
        time.sleep(0.5)
