"""pipelinegen: compile services.yaml into workflows, Dockerfiles, charts and rulesets."""

from __future__ import annotations

__version__ = "0.1.0"
