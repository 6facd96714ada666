"""Repositories for `pipelinegen init` to scan: each a small but real layout of its kind."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.gitrepo import git

PYPROJECT = """\
[project]
name = "{name}"
version = "1.0.0"
requires-python = ">=3.11"
dependencies = [{deps}]

[project.optional-dependencies]
test = ["pytest>=8"]
"""
GO_MAIN = """\
package main

import (
\t"log"
\t"net/http"
)

func main() {
\tmux := http.NewServeMux()
\tmux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
\tlog.Fatal(http.ListenAndServe(":7070", mux))
}
"""
NODE_SERVER = """\
const http = require("http");
const port = Number(process.env.PORT || 4000);
http.createServer((req, res) => {
  res.writeHead(req.url === "/livez" ? 200 : 404);
  res.end();
}).listen(port);
"""
PY_MAIN = """\
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

from {lib} import money


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()


HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8001"))), Handler).serve_forever()
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return root


def with_git(root: Path, remote: str) -> Path:
    git(root, "init", "-q", "-b", "trunk")
    git(root, "remote", "add", "origin", remote)
    return root


def package_json(name: str, **extra: object) -> str:
    return json.dumps({"name": name, "version": "1.0.0", "private": True, **extra}, indent=2)


def lock(name: str) -> str:
    return json.dumps({"name": name, "lockfileVersion": 3, "packages": {}}, indent=2)


def dockerfile(base: str, port: int, health: str, user: str = "10001:10001") -> str:
    """An existing, well-kept Dockerfile: pinned, non-root, with a health check."""
    return (f"FROM {base} AS runtime\nCOPY . /app\nUSER {user}\nEXPOSE {port}\n"
            f'HEALTHCHECK CMD ["/app/probe", "http://127.0.0.1:{port}{health}"]\n'
            'CMD ["/app/run"]\n')


def every_stack(root: Path, base: str) -> Path:
    """One service per manifest kind, an existing CODEOWNERS, a GitHub remote."""
    return with_git(write(root, {
        "services/orders/pyproject.toml": PYPROJECT.format(name="orders", deps=""),
        "services/orders/requirements.txt": "pytest==8.3.3\n",
        "services/orders/orders/__init__.py": "",
        "services/orders/orders/__main__.py": PY_MAIN.format(lib="orders"),
        "services/orders/orders/money.py": "",
        "services/orders/tests/test_orders.py": "def test_nothing():\n    pass\n",
        "services/shop/package.json": package_json(
            "shop", main="server.js", engines={"node": ">=20"},
            scripts={"start": "node server.js", "test": "node --test"}),
        "services/shop/package-lock.json": lock("shop"),
        "services/shop/server.js": NODE_SERVER,
        "services/router/go.mod": "module example.com/router\n\ngo 1.22.4\n\n"
                                  "require google.golang.org/grpc v1.64.0\n",
        "services/router/main.go": GO_MAIN,
        "services/router/main_test.go": "package main\n",
        "services/router/api/router.proto": 'syntax = "proto3";\npackage router;\n',
        "services/site/public/index.html": "<h1>hello</h1>\n",
        "services/ledger/pom.xml": "<project><properties><maven.compiler.release>21"
                                   "</maven.compiler.release></properties></project>\n",
        "services/ledger/src/main/java/Ledger.java":
            "class Ledger { public static void main(String[] a) {} }\n",
        "services/ledger/Dockerfile": dockerfile(base, 9090, "/actuator/health"),
        "services/pay/pay.csproj": '<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup>'
                                   "<TargetFramework>net8.0</TargetFramework></PropertyGroup>"
                                   "</Project>\n",
        "services/pay/Dockerfile": dockerfile(base, 5000, "/healthz"),
        "services/resize/Cargo.toml": '[package]\nname = "resize"\nrust-version = "1.70"\n',
        "services/resize/Cargo.lock": 'version = 3\n\n[[package]]\nname = "resize"\n'
                                      'version = "0.1.0"\n',
        "services/resize/src/main.rs": "fn main() {}\n",
        ".github/CODEOWNERS": "* @acme/platform\n/services/orders/ @acme/orders\n"
                              "/services/shop/ @acme/web @jane\n",
    }), "git@github.com:acme/Shop.git")


def monorepo(root: Path) -> Path:
    """Workspaces: npm (apps/web uses packages/ui, which uses packages/tokens), a Python library
    imported by two services, and a Go module replaced by path."""
    return with_git(write(root, {
        "package.json": package_json("mono", workspaces=["apps/*", "packages/*"]),
        "apps/web/package.json": package_json(
            "@mono/web", dependencies={"@mono/ui": "*"}, scripts={"start": "node index.js"}),
        "apps/web/package-lock.json": lock("@mono/web"),
        "apps/web/index.js": "require('http').createServer().listen(3100);\n",
        "packages/ui/package.json": package_json("@mono/ui", dependencies={"@mono/tokens": "*"}),
        "packages/tokens/package.json": package_json("@mono/tokens"),
        "packages/unused/package.json": package_json("@mono/unused"),
        "libs/money/pyproject.toml": PYPROJECT.format(name="acme-money", deps=""),
        "libs/money/src/acme_money/__init__.py": "",
        "apps/billing/requirements.txt": "",
        "apps/billing/billing/__init__.py": "",
        "apps/billing/billing/__main__.py": PY_MAIN.format(lib="acme_money"),
        "apps/refunds/requirements.txt": "",
        "apps/refunds/refunds/__init__.py": "",
        "apps/refunds/refunds/__main__.py": PY_MAIN.format(lib="acme_money"),
        "apps/gateway/go.mod": "module example.com/gateway\n\ngo 1.23\n\n"
                               "require example.com/gokit v0.0.0\n\n"
                               "replace example.com/gokit => ../../libs/gokit\n",
        "apps/gateway/main.go": GO_MAIN,
        "libs/gokit/go.mod": "module example.com/gokit\n\ngo 1.23\n",
        "libs/gokit/kit.go": "package gokit\n",
    }), "https://github.com/acme/mono.git")


def deployed(root: Path, base: str) -> Path:
    """Services that already have Dockerfiles, a Helm chart and Kubernetes manifests."""
    return write(root, {
        "billing/requirements.txt": "",
        "billing/app.py": "print('no port here')\n",
        "charts/billing/Chart.yaml": "apiVersion: v2\nname: billing\nversion: 1.0.0\n",
        "charts/billing/values.yaml": "replicaCount: 2\nservice:\n  type: ClusterIP\n"
                                      "  port: 80\n  targetPort: 8200\n",
        "charts/billing/templates/deployment.yaml": "{{- if .Values.x }}\nkind: {{ .Values.k }}\n"
                                                    "{{- end }}\n",
        "search/package.json": package_json("search", scripts={"start": "node main.js"}),
        "search/package-lock.json": lock("search"),
        "search/main.js": "console.log('listens where k8s says')\n",
        "deploy/k8s/search.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: search}\n---\n"
                                  "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                                  "  name: search\nspec:\n  template:\n    spec:\n"
                                  "      containers:\n        - name: search\n"
                                  "          image: ghcr.io/acme/search:1.0\n"
                                  "          ports: [{containerPort: 8300}]\n",
        "legacy/Dockerfile": dockerfile(base, 8400, "/status", user="20000:20000"),
        "legacy/run.sh": "#!/bin/sh\n",
        "tools/Dockerfile.dev": "FROM scratch\n",
        "Dockerfile": dockerfile(base, 8500, "/healthz", user="20000:20000"),
    })
