"""Each demo image's size next to a naive single-stage Dockerfile for the same service.

Builds, in one run and on the same locally built test bases, the generated multi-stage
Dockerfile of every demo service and a naive one (`COPY . .` of the whole repository onto the
toolchain base, install, run), and prints their uncompressed sizes (`docker image inspect`).

    .venv/bin/python -m benchmarks.image_sizes
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from pipelinegen.adapters import engine
from tests.support import bases, demo

NAIVE = {
    "python": """\
FROM {builder}
WORKDIR /app
COPY . .
RUN python -m pip install --target /opt/deps --requirement {path}/requirements.txt
ENV PYTHONPATH=/opt/deps:/app/packages/printcore
WORKDIR /app/{path}
CMD {command}
""",
    "node": """\
FROM {builder}
WORKDIR /app
COPY . .
WORKDIR /app/{path}
RUN npm ci --omit=dev
CMD {command}
""",
    "go": """\
FROM {builder}
WORKDIR /app
COPY . .
WORKDIR /app/{path}
RUN go build -o /app/{name} .
CMD {command}
""",
    "static": """\
FROM {builder}
WORKDIR /app
COPY . .
RUN go build -o /usr/local/bin/pipelinegen-httpd generated/docker/pipelinegen-httpd.go
CMD ["/usr/local/bin/pipelinegen-httpd", "-root", "/app/{path}/public", "-listen", ":8080"]
""",
}


def main() -> None:
    refs = {name: bases.ensure(name) for name in bases.IMAGE_BASES}
    registry = f"{bases.REGISTRY}/pipelinegen-bench"
    client = engine.client()
    rows = []
    with tempfile.TemporaryDirectory(prefix="pipelinegen-bench-") as tmp:
        repo = demo.make_repo(Path(tmp) / "repo", refs, registry)
        demo.run_pipelinegen(repo, "build", "--tag", "bench", check=True)
        (repo / "naive").mkdir()
        for name, stack in demo.STACK_OF.items():
            builder = refs[demo.SERVICES[name][0]]
            command = {"api": '["python", "-m", "api"]', "worker": '["python", "-m", "worker"]',
                       "web": '["node", "server.js"]', "renderer": f'["/app/{name}"]'}.get(name)
            dockerfile = repo / "naive" / f"{name}.Dockerfile"
            dockerfile.write_text(NAIVE[stack].format(builder=builder, path=f"services/{name}",
                                                      name=name, command=command))
            naive = f"{registry}/{name}-naive:bench"
            subprocess.run([engine.docker_cli(), "build", "-q", "-f", str(dockerfile), "-t",
                            naive, str(repo)], check=True, capture_output=True,
                           env={**os.environ, "DOCKER_BUILDKIT": "1"})
            generated = engine.image_size(client, f"{registry}/{name}:bench")
            single = engine.image_size(client, naive)
            runtime_base = engine.image_size(client, refs[demo.SERVICES[name][1]])
            rows.append((name, stack, runtime_base, generated, single))
    print(f"{'service':10} {'stack':7} {'runtime base':>12} {'generated':>11} {'naive':>11}"
          f" {'saved':>6}")
    for name, stack, runtime_base, generated, single in rows:
        print(f"{name:10} {stack:7} {runtime_base / 1e6:9.1f} MB {generated / 1e6:8.1f} MB"
              f" {single / 1e6:8.1f} MB {100 * (1 - generated / single):5.0f}%")


if __name__ == "__main__":
    main()
