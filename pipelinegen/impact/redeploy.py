"""Which changes need a new image, and which only a new deploy of the image already running.

A service's `deploy` settings (replicas, resources, env, secrets, ingress, egress, autoscaling),
their per-environment overrides, its `callers` and `uses` (the NetworkPolicy) and its `owners`
(CODEOWNERS) shape nothing in its image: a change to those alone deploys the digest that runs
now, with no rebuild, rescan or push. Everything else (its path, stack, port, command, bases,
version, app_version, the project) may change the image, so it is rebuilt.
"""

from __future__ import annotations

from pipelinegen.core.model import Service

IMAGE_NEUTRAL_FIELDS = frozenset({"deploy", "environments", "callers", "uses", "owners"})


def deploy_only(before: Service, after: Service) -> bool:
    """Whether the two versions of a service differ only in fields that shape no image."""
    return (before.model_dump(exclude=set(IMAGE_NEUTRAL_FIELDS))
            == after.model_dump(exclude=set(IMAGE_NEUTRAL_FIELDS)))


def neutral_field(service: str, dotted: str) -> bool:
    """Whether a review's field path (e.g. "api.deploy.replicas") is image-neutral."""
    head, _, rest = dotted.partition(".")
    return head == service and rest.split(".", 1)[0].split("[", 1)[0] in IMAGE_NEUTRAL_FIELDS
