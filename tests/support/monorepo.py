"""A new user's monorepo in a real git repository: Python with a shared package, Node, Go, and
one service that brings its own Dockerfile, on the locally built test bases.

The sources are the bundled demo's (services/ and packages/); `legacy` is written here: its
Dockerfile copies from its own directory, as a hand-written Dockerfile built with
`docker build services/legacy` would.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support import bases, demo
from tests.support.gitrepo import commit_all, git

REPO = Path(__file__).resolve().parents[2]
REGISTRY = f"{bases.REGISTRY}/pipelinegen-scenario"
UID = "10001"

LEGACY_APP = '''\
import http.server, os


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()


http.server.HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "5000"))), Handler).serve_forever()
'''

LEGACY_DOCKERFILE = """\
FROM {python}
WORKDIR /app
COPY app.py ./
USER 10001:10001
ENV PORT=5000
EXPOSE 5000
HEALTHCHECK --interval=10s --timeout=5s --retries=3 \\
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen(\
'http://127.0.0.1:5000/healthz', timeout=4).status != 200)"]
CMD ["python", "app.py"]
"""


def model(refs: dict[str, str]) -> str:
    return f"""\
version: 1
project:
  name: shopfront
  repository: acme/shopfront
  registry: {REGISTRY}
  environments:
    - {{name: dev, namespace: shopfront-dev}}
  branch_protection: {{minimum_tier: 0}}
bases:
  helm-test: {refs["static"]}
  python: {refs["python"]}
  python-build: {refs["python-build"]}
  node: {refs["node"]}
  node-build: {refs["node-build"]}
  go: {refs["go"]}
  static: {refs["static"]}
services:
  api:
    path: services/api
    stack: python
    builder: python-build
    port: 8080
    command: [python, -m, api]
    depends_on: [packages/printcore]
  web:
    path: services/web
    stack: node
    builder: node-build
    port: 3000
  renderer:
    path: services/renderer
    stack: go
    port: 8090
  legacy:
    path: services/legacy
    stack: dockerfile
    dockerfile: services/legacy/Dockerfile
    port: 5000
"""


def make(root: Path) -> Path:
    """The monorepo, generated and committed once (`pipelinegen generate`, `git commit`)."""
    refs = {name: bases.ensure(name) for name in bases.IMAGE_BASES}
    root.mkdir(parents=True)
    for name in ("api", "web", "renderer"):
        shutil.copytree(REPO / "services" / name, root / "services" / name,
                        ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
    shutil.copytree(REPO / "packages" / "printcore", root / "packages" / "printcore",
                    ignore=shutil.ignore_patterns("__pycache__"))
    legacy = root / "services" / "legacy"
    legacy.mkdir()
    (legacy / "app.py").write_text(LEGACY_APP)
    (legacy / "Dockerfile").write_text(LEGACY_DOCKERFILE.format(python=refs["python"]))
    (root / "services.yaml").write_text(model(refs))
    git(root, "init", "-q")
    pipelinegen(root, "generate", check=True)
    commit_all(root, "first services")
    return root


def pipelinegen(root: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    return demo.run_pipelinegen(root, *args, check=check)
