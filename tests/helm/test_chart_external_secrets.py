"""With a secret store, every Secret the pods read is synced by an ExternalSecret
(external-secrets.io/v1) through the release's own SecretStore, and both validate strictly
against the External Secrets Operator's vendored CRD schemas."""

from __future__ import annotations

import copy

import pytest

from pipelinegen import cloud
from pipelinegen.validate import crds
from tests.support.charts import MODEL, ROOT, render, sdk_scenarios_objects

ESO = "external-secrets.io/v1"


@pytest.mark.helm
def test_every_external_secrets_object_is_v1_and_valid() -> None:
    checked = 0
    for _, objects in sdk_scenarios_objects(ROOT):
        for obj in objects:
            if obj.body["apiVersion"].startswith("external-secrets.io"):
                assert obj.body["apiVersion"] == ESO
                assert crds.errors(obj.body) == [], obj.name
                checked += 1
    assert checked > 0


@pytest.mark.helm
@pytest.mark.parametrize("env", MODEL.project.environment_names())
def test_api_reads_its_secrets_and_connections_from_the_store(env: str) -> None:
    objects = render("api", env)
    [store] = [o.body for o in objects if o.kind == "SecretStore"]
    aws = cloud.aws_for(MODEL, env)
    assert aws is not None
    assert store["spec"]["provider"]["aws"] == {
        "service": "SecretsManager", "region": aws.region,
        "auth": {"jwt": {"serviceAccountRef": {"name": "api"}}}}
    [account] = [o.body for o in objects if o.kind == "ServiceAccount"]
    assert account["metadata"]["annotations"] == {
        "eks.amazonaws.com/role-arn": f"arn:aws:iam::{aws.account_id}:role/printloop-{env}-api"}
    synced = {o.body["spec"]["target"]["name"]: o.body["spec"] for o in objects
              if o.kind == "ExternalSecret"}
    assert sorted(synced) == ["api-api-database", "api-api-webhooks", "api-artwork", "api-orders"]
    interval = "15m" if env == "production" else "1h"
    for spec in synced.values():
        assert spec["refreshInterval"] == interval
        assert spec["secretStoreRef"] == {"kind": "SecretStore", "name": "api"}
        assert spec["target"]["creationPolicy"] == "Owner"
    assert synced["api-api-webhooks"]["data"] == [
        {"secretKey": "token", "remoteRef": {"key": f"printloop/{env}/api-webhooks",
                                             "property": "token"}}]
    assert [d["remoteRef"]["key"] for d in synced["api-orders"]["data"]] == [
        f"printloop/{env}/api/orders"] * 4


@pytest.mark.helm
def test_services_with_nothing_to_read_get_no_store() -> None:
    kinds = {o.kind for o in render("web", "dev")}
    assert "SecretStore" not in kinds and "ExternalSecret" not in kinds
    [account] = [o.body for o in render("web", "dev") if o.kind == "ServiceAccount"]
    assert "annotations" not in account["metadata"]


@pytest.mark.helm
def test_the_vendored_schemas_are_strict() -> None:
    [secret] = [o.body for o in render("api", "dev") if o.kind == "ExternalSecret"][:1]
    typo = copy.deepcopy(secret)
    typo["spec"]["refreshIntervall"] = "1h"
    assert [p for p, _ in crds.errors(typo)] == ["spec"]
    wrong = copy.deepcopy(secret)
    wrong["spec"]["target"]["creationPolicy"] = "Sometimes"
    assert [p for p, _ in crds.errors(wrong)] == ["spec.target.creationPolicy"]
    [store] = [o.body for o in render("api", "dev") if o.kind == "SecretStore"]
    bad = copy.deepcopy(store)
    bad["spec"]["provider"]["aws"]["service"] = "KeyVault"
    assert crds.errors(bad)
    assert crds.schema(ESO, "SecretStore")["$comment"].startswith(
        "openAPIV3Schema of SecretStore external-secrets.io/v1 from"
        " external-secrets/external-secrets v2.9.0")


@pytest.mark.helm
def test_a_vault_store_logs_in_with_the_service_account() -> None:
    raw = (ROOT / "services.yaml").read_text()
    assert "      production: {refresh_interval: 15m}" in raw
    vault = ("      production:\n        provider: vault\n"
             "        vault: {server: https://vault.printloop.example:8200}\n")
    from pipelinegen import load
    from pipelinegen.emit.helm import external

    model = load.loads(raw.replace("      production: {refresh_interval: 15m}\n", vault)
                       .replace("    infra:\n      print-jobs: {kind: queue}\n", "")
                       .replace("    infra:\n      orders: {kind: postgres, size: small, "
                                "environments: {production: {size: large}}}\n"
                                "      artwork: {kind: bucket}\n", "").encode(), "services.yaml")
    values = external.environment(model, "api", "production")
    assert values["secretStore"]["provider"] == "vault"
    assert values["secretStore"]["vault"] == {
        "server": "https://vault.printloop.example:8200", "path": "secret",
        "authMountPath": "kubernetes", "role": "api"}
    assert values["externalSecrets"][0]["remoteKey"] == "printloop/production/api-database"
    [store] = [o.body for o in render("api", "production", secretStore=values["secretStore"])
               if o.kind == "SecretStore"]
    assert store["spec"]["provider"]["vault"]["auth"] == {"kubernetes": {
        "mountPath": "kubernetes", "role": "api", "serviceAccountRef": {"name": "api"}}}
    assert crds.errors(store) == []
