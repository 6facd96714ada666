"""An environment's override merged into a service's deploy settings (Deploy.merged).

The merge takes the service's validated parts as they are instead of dumping and validating
them again; the property: for random overrides of the bundled services, it gives exactly the
deploy that validating the merged data from scratch gives, as the model documents the merge
(unset fields keep the service's; env and secrets merge key by key; resources amount by amount).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelinegen.core import load
from pipelinegen.core.model import Deploy, DeployOverride
from tests.support.gitrepo import REPO_ROOT

MODEL = load.load(REPO_ROOT / "services.yaml", "services.yaml")
NAMES = st.sampled_from(["API_URL", "LOG_LEVEL", "DB_HOST", "MODE"])
AMOUNTS = st.fixed_dictionaries({}, optional={"cpu": st.sampled_from(["50m", "1", "250m"]),
                                              "memory": st.sampled_from(["64Mi", "1Gi"])})
OVERRIDES = st.fixed_dictionaries({}, optional={
    "replicas": st.integers(0, 5),
    "resources": st.fixed_dictionaries({}, optional={"requests": AMOUNTS, "limits": AMOUNTS}),
    "autoscaling": st.builds(lambda low, extra: {"min_replicas": low, "max_replicas": low + extra},
                             st.integers(1, 3), st.integers(0, 3)),
    "env": st.dictionaries(NAMES, st.sampled_from(["a", "b", "debug"]), max_size=3),
    "secrets": st.dictionaries(NAMES, st.builds(lambda key: {"secret": "db", "key": key},
                                                st.sampled_from(["password", "url"])),
                               max_size=2),
    "egress": st.lists(st.builds(lambda port: {"cidr": "10.0.0.0/8", "ports": [port]},
                                 st.integers(1, 65535)), max_size=2),
})


def _from_scratch(deploy: Deploy, override: DeployOverride) -> Deploy:
    data: dict[str, Any] = deploy.model_dump()
    for key, value in override.model_dump(exclude_none=True).items():
        if key in ("env", "secrets"):
            data[key] = {**data[key], **value}
        elif key == "resources":
            for part in ("requests", "limits"):
                given_amounts = {k: v for k, v in value[part].items() if v is not None}
                data[key][part] = {**data[key][part], **given_amounts}
        else:
            data[key] = value
    return Deploy.model_validate(data)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(MODEL.services)), OVERRIDES)
def test_merge_equals_validating_the_merged_data(name: str, data: dict[str, Any]) -> None:
    deploy = MODEL.services[name].deploy
    override = DeployOverride.model_validate(data)
    merged, expected = deploy.merged(override), _from_scratch(deploy, override)
    assert merged == expected
    assert merged.model_dump() == expected.model_dump()
    assert merged.model_fields_set == set(Deploy.model_fields)


def test_no_override_is_the_service_deploy() -> None:
    deploy = next(iter(MODEL.services.values())).deploy
    assert deploy.merged(None) is deploy


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(MODEL.services)), OVERRIDES,
       st.sampled_from(sorted(Deploy.model_fields)))
def test_one_setting_is_that_field_of_the_merge(name: str, data: dict[str, Any],
                                                field: str) -> None:
    environment = MODEL.project.environments[-1].name
    service = MODEL.services[name].model_copy(
        update={"environments": {environment: DeployOverride.model_validate(data)}})
    assert service.deploy_setting(environment, field) == getattr(
        service.deploy_for(environment), field)
    assert service.deploy_setting("no-such-environment", field) == getattr(service.deploy, field)
