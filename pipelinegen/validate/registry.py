"""The rule registry: each rule has a stable id, a docstring with a passing and a failing
example, and a check function that yields Problems."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from inspect import cleandoc
from pathlib import Path

from pipelinegen.core import load
from pipelinegen.core.errors import Problem
from pipelinegen.core.inputs import Inputs
from pipelinegen.core.load import Positions
from pipelinegen.core.model import Model
from pipelinegen.generation.plan import Plan


@dataclass(frozen=True)
class Context:
    """What a rule may look at: the repository on disk, the model and its plan."""

    root: Path
    inputs: Inputs
    plan: Plan
    today: datetime.date = field(default_factory=lambda: datetime.datetime.now(datetime.UTC).date())
    """The day rules about expiry judge by (UTC); given by tests."""

    @property
    def model(self) -> Model:
        return self.inputs.model

    @cached_property
    def positions(self) -> Positions:
        """Where each key of the services file is written; parsed once, when a rule asks."""
        source = self.inputs.source
        return load.positions((self.root / source).read_bytes(), source)


Check = Callable[[Context], Iterable[Problem]]


@dataclass(frozen=True)
class Rule:
    id: str
    check: Check

    @property
    def summary(self) -> str:
        return self.details.split("\n\n")[0].replace("\n", " ")

    @property
    def details(self) -> str:
        """The docstring: the summary, why, and a passing and a failing example."""
        return cleandoc(self.check.__doc__ or "")


RULES: dict[str, Rule] = {}


def rule(rule_id: str) -> Callable[[Check], Check]:
    """Register a check under a stable rule id."""

    def register(check: Check) -> Check:
        if rule_id in RULES:
            raise AssertionError(f"rule {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, check)
        return check

    return register
