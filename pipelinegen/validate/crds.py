"""Strict validation of custom resources against the operator schemas pipelinegen vendors.

Kubernetes' own schemas (kubernetes-validate) know no custom resource, so the External Secrets
Operator's objects are checked against its published CRD schemas (pipelinegen/data/crds, with
their version and commit in "$comment"). A CRD schema leaves unknown fields to the API server,
which prunes them silently; here every object that lists its properties is closed, so a
misspelt field is an error, as `kubectl apply --validate=strict` would make it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

SCHEMAS = {
    ("external-secrets.io/v1", "ExternalSecret"): "external-secrets.io_v1_externalsecret.json",
    ("external-secrets.io/v1", "SecretStore"): "external-secrets.io_v1_secretstore.json",
}
OPEN = "x-kubernetes-preserve-unknown-fields"


def vendored(body: dict[str, Any]) -> bool:
    return (body.get("apiVersion"), body.get("kind")) in SCHEMAS


def _closed(node: Any) -> Any:
    if isinstance(node, dict):
        out = {key: _closed(value) for key, value in node.items()}
        if "properties" in out and "additionalProperties" not in out and not out.get(OPEN):
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_closed(value) for value in node]
    return node


@cache
def schema(api_version: str, kind: str) -> dict[str, Any]:
    """The vendored schema of a kind, closed to unknown fields."""
    name = SCHEMAS[(api_version, kind)]
    text = resources.files("pipelinegen").joinpath("data", "crds", name).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    closed: dict[str, Any] = _closed(loaded)
    return closed


def errors(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(dotted path, message) of each way the object breaks its schema; empty when it is valid."""
    import jsonschema  # the Helm extra has it (kubernetes-validate is built on it)

    validator = jsonschema.Draft7Validator(schema(body["apiVersion"], body["kind"]))
    found = []
    for error in validator.iter_errors(body):
        path = ".".join(str(part) for part in error.absolute_path) or "(object)"
        found.append((path, error.message))
    return sorted(found)
