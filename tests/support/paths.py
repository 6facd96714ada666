"""Where the tests find the repository, its bundled example and the model cases."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "cases"
MINIMAL = CASES / "minimal" / "services.yaml"
