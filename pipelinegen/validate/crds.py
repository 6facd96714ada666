"""Strict validation of Prometheus Operator objects against the operator's own CRD schemas.

The schemas are vendored from prometheus-operator v0.93.0
(example/prometheus-operator-crd/, the `v1` openAPIV3Schema of servicemonitors and
prometheusrules), in pipelinegen/data/. CRD schemas allow unknown fields unless told otherwise;
strict here means as kubeconform's strict mode: every object schema with `properties` and no
`x-kubernetes-preserve-unknown-fields` gets `additionalProperties: false`.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

OPERATOR_VERSION = "v0.93.0"
GROUP = "monitoring.coreos.com"
FILES = {"ServiceMonitor": "servicemonitors", "PrometheusRule": "prometheusrules"}


def handles(body: dict[str, Any]) -> bool:
    return str(body.get("apiVersion", "")).startswith(f"{GROUP}/")


def _strict(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {key: _strict(value) for key, value in schema.items()}
        if ("properties" in out and "additionalProperties" not in out
                and not out.get("x-kubernetes-preserve-unknown-fields")):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


@cache
def schema(kind: str) -> dict[str, Any]:
    name = f"crd-{FILES[kind]}-{OPERATOR_VERSION}.json"
    data = json.loads(resources.files("pipelinegen").joinpath("data", name).read_text())
    openapi: dict[str, Any] = _strict(data["openAPIV3Schema"])
    # The API server checks metadata; the CRD leaves it open: require what we rely on.
    openapi["properties"]["metadata"] = {"type": "object", "required": ["name"]}
    return openapi


def errors(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, message) of every violation; an unknown kind or version is one."""
    import jsonschema

    kind = str(body.get("kind", ""))
    if body.get("apiVersion") != f"{GROUP}/v1" or kind not in FILES:
        return [("(object)", f"{body.get('apiVersion')}/{kind} is not a vendored operator CRD"
                             f" (known: {', '.join(sorted(FILES))} in {GROUP}/v1)")]
    validator = jsonschema.Draft7Validator(schema(kind))
    found = sorted(validator.iter_errors(body), key=lambda e: list(map(str, e.absolute_path)))
    return [(".".join(str(p) for p in e.absolute_path) or "(object)", e.message) for e in found]
