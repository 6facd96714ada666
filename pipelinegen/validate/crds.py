"""Strict validation of custom resources against the operator schemas pipelinegen vendors.

Kubernetes' own schemas (kubernetes-validate) know no custom resource, so operator objects are
checked against the operators' published CRD schemas in pipelinegen/data/crds/:
- External Secrets Operator v2.9.0 (ExternalSecret, SecretStore; version and commit in each
  file's "$comment"; scripts/vendor-eso-crds refreshes them);
- Prometheus Operator v0.93.0 (ServiceMonitor, PrometheusRule: the `v1` openAPIV3Schema of
  example/prometheus-operator-crd/).
A CRD schema leaves unknown fields to the API server, which prunes them silently; here every
object schema that lists its properties (and does not preserve unknown fields) is closed, so a
misspelt field is an error, as `kubectl apply --validate=strict` or kubeconform's strict mode
would make it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

OPERATOR_VERSION = "v0.93.0"  # Prometheus Operator
SCHEMAS = {
    ("external-secrets.io/v1", "ExternalSecret"): "external-secrets.io_v1_externalsecret.json",
    ("external-secrets.io/v1", "SecretStore"): "external-secrets.io_v1_secretstore.json",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "monitoring.coreos.com_v1_servicemonitor.json",
    ("monitoring.coreos.com/v1", "PrometheusRule"): "monitoring.coreos.com_v1_prometheusrule.json",
}
GROUPS = frozenset(api.partition("/")[0] for api, _ in SCHEMAS)
OPEN = "x-kubernetes-preserve-unknown-fields"


def vendored(body: Any) -> bool:
    """Whether the object belongs to an operator whose schemas are vendored (any of its kinds:
    one that is not vendored is itself an error)."""
    return isinstance(body, dict) and str(body.get("apiVersion", "")).partition("/")[0] in GROUPS


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
    closed: dict[str, Any] = _closed(loaded.get("openAPIV3Schema", loaded))
    if "$comment" in loaded:
        closed["$comment"] = loaded["$comment"]
    # The API server checks metadata; the CRDs leave it open: require what pipelinegen relies on.
    closed["properties"]["metadata"] = {"type": "object", "required": ["name"]}
    return closed


def errors(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(dotted path, message) of each way the object breaks its schema; empty when it is valid.
    A kind or version that is not vendored is one."""
    import jsonschema  # the Helm extra has it (kubernetes-validate is built on it)

    key = (str(body.get("apiVersion")), str(body.get("kind")))
    if key not in SCHEMAS:
        known = ", ".join(f"{api} {kind}" for api, kind in sorted(SCHEMAS))
        return [("(object)", f"{key[0]} {key[1]} is not a vendored CRD (known: {known})")]
    validator = jsonschema.Draft7Validator(schema(*key))
    found = []
    for error in validator.iter_errors(body):
        path = ".".join(str(part) for part in error.absolute_path) or "(object)"
        found.append((path, error.message))
    return sorted(found)
