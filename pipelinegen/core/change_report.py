"""The change report: what `pipelinegen diff --base` found, as data (the contract of the review).

Every renderer (text, markdown, JSON) reads this one structure; the JSON form is its
`model_dump`, and specs/diff.schema.json is its JSON Schema.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, JsonValue

from pipelinegen.core.strictmodel import Documented

REPORT_VERSION: Literal[1] = 1
PROJECT = "project"  # the owner of generated files and model fields that belong to no service

ServiceStatus = Literal["added", "removed", "renamed", "changed", "affected", "unchanged"]
FileStatus = Literal["added", "removed", "modified", "renamed"]
DriftState = Literal["missing", "stale", "orphaned"]
DriftCause = Literal["edited-in-change", "not-regenerated", "pre-existing"]
DRIFT_CAUSES: dict[str, str] = {
    "edited-in-change": "edited by hand in this change",
    "not-regenerated": "not regenerated after the model change",
    "pre-existing": "already out of date before this change",
}


class _Frozen(Documented):
    model_config = ConfigDict(
        extra="forbid", frozen=True,
        json_schema_serialization_defaults_required=True,
        defer_build=True,  # built on first use: most runs only write the report's schema
    )


class FieldChange(_Frozen):
    """One model value that differs between the two sides."""

    field: str
    """Dotted path of the value in services.yaml, e.g. "api.deploy.replicas"."""
    old: JsonValue = None
    """The value before (null: not set)."""
    new: JsonValue = None
    """The value after (null: not set)."""
    summary: str
    """One readable line, e.g. "api.deploy.replicas: 2 -> 3"."""


class FileChange(_Frozen):
    """One generated file whose content differs between the two plans."""

    path: str
    """Repository-relative path of the generated file."""
    status: FileStatus
    """added (only generated after), removed (only before), modified, or renamed (with its
    service)."""
    renamed_from: str | None = None
    """The path before the change, for a file renamed with its service."""
    added: int = Field(ge=0)
    """Lines added."""
    removed: int = Field(ge=0)
    """Lines removed."""
    diff: str
    """Unified diff from the file before to the file after."""


InfraChangeKind = Literal["resource-added", "resource-removed", "resource-changed",
                          "iam-granted", "iam-revoked"]


class InfraChange(_Frozen):
    """One change to a service's cloud resources or to what its IAM role may do."""

    environment: str
    """The environment it happens in."""
    change: InfraChangeKind
    """resource-added, resource-removed, resource-changed (e.g. a database resized),
    iam-granted or iam-revoked."""
    summary: str
    """One readable line, e.g. "orders: postgres (small) -> postgres (large)"."""


class ServiceChange(_Frozen):
    """What the change does to one service."""

    name: str
    """Service name after the change (before it, for a removed service)."""
    status: ServiceStatus
    """added, removed, renamed, changed (its own fields), affected (only through bases, project
    settings or generated files) or unchanged."""
    renamed_from: str | None = None
    """The service's name before the change, when it was renamed."""
    changes: list[FieldChange] = Field(default_factory=list)
    """Changes to the service's own fields."""
    inherited: list[FieldChange] = Field(default_factory=list)
    """Changes to bases the service uses, and project changes that alter its generated files."""
    files: list[FileChange] = Field(default_factory=list)
    """The service's generated files that change."""
    infrastructure: list[InfraChange] = Field(default_factory=list)
    """What changes in its cloud resources and IAM role, per environment."""


class ProjectChange(_Frozen):
    """Changes that belong to no single service."""

    changes: list[FieldChange] = Field(default_factory=list)
    """Changes to version, project and bases."""
    files: list[FileChange] = Field(default_factory=list)
    """Generated files that belong to no service (workflows, rulesets, schemas)."""


class Drift(_Frozen):
    """A generated file that is not what the model produces (edited, or not regenerated)."""

    path: str
    """Repository-relative path of the generated file."""
    owner: str
    """The service the file belongs to, or "project"."""
    state: DriftState
    """missing (generated but not committed), stale (committed with other content) or orphaned
    (committed but no longer generated)."""
    cause: DriftCause
    """edited-in-change: the change touched the file itself; not-regenerated: the model changed it
    but the committed file was left as it was; pre-existing: it was already out of date."""
    diff: str
    """Unified diff from what the model produces to what is committed."""


class CostChange(_Frozen):
    """A monthly cost estimate that the change moves (`pipelinegen cost` prices it)."""

    service: str
    """The service (its name after the change), or "clusters" for the per-cluster fee."""
    environment: str
    """The environment ("" for the cluster fee)."""
    old_usd: float | None
    """USD a month before (null: not there)."""
    new_usd: float | None
    """USD a month after (null: not there)."""
    delta_usd: float
    """new minus old."""
    summary: str
    """One readable line, e.g. "api: +$9.01/month: replicas 2 -> 3 in staging"."""


class Totals(_Frozen):
    files: int = Field(ge=0)
    """Generated files that change."""
    added: int = Field(ge=0)
    """Lines added over all of them."""
    removed: int = Field(ge=0)
    """Lines removed over all of them."""


class ChangeReport(_Frozen):
    """What a change to services.yaml does, per service: `pipelinegen diff --format json`."""

    version: Literal[1] = REPORT_VERSION
    """Format version of this report."""
    source: str
    """The services file, relative to the repository root."""
    base: str
    """What the change is compared against: a git ref or a file."""
    head: str
    """The changed side: a git ref, a file, or "working tree"."""
    services: list[ServiceChange]
    """Every service on either side, by name."""
    project: ProjectChange
    """Changes that belong to no single service."""
    drift: list[Drift] = Field(default_factory=list)
    """Committed generated files on the head side that differ from what its model produces."""
    drift_checked: bool
    """Whether committed files were compared (false for two files given with --old/--new)."""
    totals: Totals
    """Sum over every changed generated file."""
    costs: list[CostChange] = Field(default_factory=list)
    """Monthly cost estimates that change, per service and environment."""

    @property
    def changed_services(self) -> list[ServiceChange]:
        return [s for s in self.services if s.status != "unchanged"]

    @property
    def model_changed(self) -> bool:
        return bool(self.project.changes) or any(
            s.changes or s.status in ("added", "removed", "renamed") for s in self.services
        )


def report_schema() -> dict[str, Any]:
    """The JSON Schema of the report, as committed in specs/diff.schema.json."""
    schema = ChangeReport.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://pipelinegen.dev/schemas/diff-v1.json",
        "$comment": "Generated by pipelinegen from its report model; regenerate: "
        "`pipelinegen generate`.",
        **schema,
    }
