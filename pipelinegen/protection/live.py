"""The live protection of a branch, from GitHub's two sources, in the model's shape.

GitHub enforces classic branch protection and every active ruleset together, so the effective
setting is the strictest one: flags are or-ed, approval counts take the maximum, required checks
are the union. Bypass is the union too: an actor that may bypass any source can skip what that
source enforces, so the check reports it. Classic protection's GET answers `{"enabled": bool}`
objects where its PUT takes plain booleans; both forms are read.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from pipelinegen.protection.policy import RequiredCheck, Settings
from pipelinegen.protection.ruleset import actor_name

# Rule types the model expresses; any other active rule on the branch is a difference.
MODELLED_RULES = frozenset({
    "deletion", "non_fast_forward", "pull_request", "required_status_checks",
    "required_linear_history", "required_signatures",
})


@dataclass
class Live:
    """A branch's effective settings, where each bypass comes from, and what else is enforced."""

    settings: Settings = field(default_factory=Settings)
    bypass_sources: dict[str, set[str]] = field(default_factory=dict)  # actor -> sources
    other_rules: dict[str, set[str]] = field(default_factory=dict)  # rule type -> sources
    unknown: list[str] = field(default_factory=list)  # what the token could not read

    def add(self, more: Settings, source: str) -> None:
        self.settings = merge(self.settings, more)
        for actor in more.bypass:
            self.bypass_sources.setdefault(actor, set()).add(source)


def enabled(value: Any) -> bool:
    """True for `true` and for `{"enabled": true}`; False for anything else."""
    if isinstance(value, dict):
        return value.get("enabled") is True
    return value is True


def from_classic(protection: dict[str, Any]) -> Settings:
    """Settings of a classic branch protection (the GET .../branches/{b}/protection answer)."""
    reviews = protection.get("required_pull_request_reviews") or None
    checks = protection.get("required_status_checks") or None
    bypass: set[str] = set()
    if not enabled(protection.get("enforce_admins")):
        bypass.add("role:admin")  # classic protection binds admins only with enforce_admins
    if reviews:
        allowed = reviews.get("bypass_pull_request_allowances") or {}
        for kind, key in (("user", "users"), ("team", "teams"), ("app", "apps")):
            bypass.update(f"{kind}:{item.get('id')}" for item in allowed.get(key) or [])
    return Settings(
        block_deletions=not enabled(protection.get("allow_deletions")),
        block_force_pushes=not enabled(protection.get("allow_force_pushes")),
        require_pull_request=reviews is not None,
        required_approvals=int((reviews or {}).get("required_approving_review_count") or 0),
        code_owner_review=bool((reviews or {}).get("require_code_owner_reviews")),
        dismiss_stale_reviews=bool((reviews or {}).get("dismiss_stale_reviews")),
        last_push_approval=bool((reviews or {}).get("require_last_push_approval")),
        conversation_resolution=enabled(protection.get("required_conversation_resolution")),
        required_checks=_classic_checks(checks),
        strict_status_checks=bool((checks or {}).get("strict")),
        linear_history=enabled(protection.get("required_linear_history")),
        signed_commits=enabled(protection.get("required_signatures")),
        bypass=tuple(sorted(bypass)),
    )


def _classic_checks(checks: dict[str, Any] | None) -> tuple[RequiredCheck, ...]:
    if not checks:
        return ()
    # `checks` carries the app that must report (app_id, null for any); `contexts` is older.
    listed = checks.get("checks")
    if listed is None:
        listed = [{"context": context, "app_id": None} for context in checks.get("contexts", [])]
    return tuple(sorted({RequiredCheck(str(c["context"]), c.get("app_id")) for c in listed}))


# Rules that switch on one setting and carry no parameters.
_FLAG_RULES = {
    "deletion": Settings(block_deletions=True),
    "non_fast_forward": Settings(block_force_pushes=True),
    "required_linear_history": Settings(linear_history=True),
    "required_signatures": Settings(signed_commits=True),
}


def from_rule(rule: dict[str, Any]) -> Settings:
    """Settings one ruleset rule (an item of GET .../rules/branches/{b}) enforces."""
    kind = str(rule.get("type"))
    params = rule.get("parameters") or {}
    if kind == "pull_request":
        return Settings(
            require_pull_request=True,
            required_approvals=int(params.get("required_approving_review_count") or 0),
            code_owner_review=bool(params.get("require_code_owner_review")),
            dismiss_stale_reviews=bool(params.get("dismiss_stale_reviews_on_push")),
            last_push_approval=bool(params.get("require_last_push_approval")),
            conversation_resolution=bool(params.get("required_review_thread_resolution")),
        )
    if kind == "required_status_checks":
        return Settings(
            required_checks=tuple(sorted({
                RequiredCheck(str(c["context"]), c.get("integration_id"))
                for c in params.get("required_status_checks") or []
            })),
            strict_status_checks=bool(params.get("strict_required_status_checks_policy")),
        )
    return _FLAG_RULES.get(kind, Settings())


def merge(a: Settings, b: Settings) -> Settings:
    """The strictest of two settings, as GitHub enforces layered protections."""
    values: dict[str, Any] = {}
    for item in fields(Settings):
        left, right = getattr(a, item.name), getattr(b, item.name)
        if isinstance(left, bool):
            values[item.name] = left or right
        elif isinstance(left, int):
            values[item.name] = max(left, right)
        else:
            values[item.name] = tuple(sorted(set(left) | set(right)))
    return replace(a, **values)


def collect(classic: dict[str, Any] | None, rules: list[dict[str, Any]],
            rulesets: dict[int, dict[str, Any]]) -> Live:
    """The branch's effective protection from classic protection (None: the branch has none),
    its active rules, and the rulesets those rules come from, by id."""
    live = Live()
    if classic is not None:
        live.add(from_classic(classic), "classic branch protection")
    for rule in rules:
        ruleset_id = rule.get("ruleset_id")
        source = _ruleset_label(ruleset_id, rulesets.get(ruleset_id) if ruleset_id else None)
        kind = str(rule.get("type"))
        if kind not in MODELLED_RULES:
            live.other_rules.setdefault(kind, set()).add(source)
        live.add(from_rule(rule), source)
    for ruleset_id, body in sorted(rulesets.items()):
        if "bypass_actors" not in body:
            live.unknown.append(f"bypass list of {_ruleset_label(ruleset_id, body)} (GitHub shows"
                                " it only to tokens with write access to the ruleset)")
            continue
        actors = tuple(sorted({actor_name(a) for a in body["bypass_actors"] or []}))
        live.add(Settings(bypass=actors), _ruleset_label(ruleset_id, body))
    return live


def _ruleset_label(ruleset_id: Any, body: dict[str, Any] | None) -> str:
    name = (body or {}).get("name")
    return f"ruleset {name!r} (#{ruleset_id})" if name else f"ruleset #{ruleset_id}"


def differences(live: Live, want: Settings) -> list[str]:
    """Every way the live protection differs from the model, one line each, in a fixed order."""
    found: list[str] = []
    have = live.settings
    for item in fields(Settings):
        name = item.name
        if name in ("required_checks", "bypass"):
            continue
        if getattr(have, name) != getattr(want, name):
            found.append(f"{name}: live {_show(getattr(have, name))},"
                         f" model {_show(getattr(want, name))}")
    for check in sorted(set(want.required_checks) - set(have.required_checks)):
        found.append(f"required check {check}: the model requires it, live does not")
    for check in sorted(set(have.required_checks) - set(want.required_checks)):
        found.append(f"required check {check}: live requires it, the model does not")
    for actor in sorted(set(have.bypass) - set(want.bypass)):
        sources = ", ".join(sorted(live.bypass_sources.get(actor, ())))
        found.append(f"bypass {actor}: may bypass {sources}; the model does not allow it")
    for actor in sorted(set(want.bypass) - set(have.bypass)):
        found.append(f"bypass {actor}: the model allows it, live does not")
    for kind, origins in sorted(live.other_rules.items()):
        found.append(f"rule {kind}: enforced by {', '.join(sorted(origins))},"
                     " which the model does not state")
    found.extend(f"unknown: cannot read the {what}" for what in live.unknown)
    return found


def _show(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
