"""Property: whatever a random mutation does to the bundled services.yaml, `generate` ends with
exit 0 or 2, never a traceback; and exit 2 leaves the repository byte-identical."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pipelinegen.cli import cli
from tests.support.paths import REPO
from tests.support.safety import snapshot

BUNDLED = (REPO / "services.yaml").read_text()
LINES = BUNDLED.splitlines(keepends=True)
# Pieces that have broken YAML readers, shells, GitHub or pipelinegen before.
PIECES = ["", ":", ": ", "- ", "&a ", "*a", "<<: *a", "<<: [*a, *a]", "&a [*a]", "!!binary ",
          "!!python/object/apply:os.system ['id']", "\u0085", "\u2028", "\u2029", "\t", "\n",
          "\r", "  ", "{", "}", "[", "]", "'", '"', "#", "${{ github.token }}", "9" * 5000,
          "0x" + "f" * 80, "../", "/", "@", "a#b@example.com", "~", "null", "true", "-1",
          "1e999", "\x00", "\x1b", "\ufeff", "é", "%YAML 1.1\n", "---\n", "...\n", "? ",
          "DB_PASSWORD: x", "generated/docker", ".git/HEAD", "[" * 200, "]" * 200, "&b {}",
          "1:2", "2026-01-01", "0o777", ".inf", "0" * 70, "; rm -rf /", "$(id)", "`id`"]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["value", "value", "value", "splice", "splice", "text",
                                     "drop", "copy", "swap", "indent"]))
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        key, colon, _ = line.partition(": ")
        if kind == "value" and colon:  # where a value goes: numbers, strings, aliases, lists
            piece = draw(st.sampled_from(PIECES) | st.text(max_size=8))
            lines[index] = f"{key}: {piece}\n"
        elif kind in ("splice", "text", "value"):
            start = draw(st.integers(0, len(line)))
            end = draw(st.integers(start, len(line)))
            piece = (draw(st.sampled_from(PIECES)) if kind == "splice"
                     else draw(st.text(max_size=8)))
            lines[index] = line[:start] + piece + line[end:]
        elif kind == "drop":
            del lines[index]
        elif kind == "copy":
            lines.insert(draw(st.integers(0, len(lines))), line)
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        else:
            lines[index] = draw(st.sampled_from(["", " ", "  ", "    "])) + line.lstrip(" ")
    return "".join(lines)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example, generated once: every mutation starts from a current tree."""
    root = tmp_path_factory.mktemp("fuzz") / "repo"
    root.mkdir()
    shutil.copy(REPO / "services.yaml", root / "services.yaml")
    for folder in ("services", "packages"):
        shutil.copytree(REPO / folder, root / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    result = CliRunner().invoke(cli, ["generate", "--file", str(root / "services.yaml")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root


def _run(template: Path, text: str) -> int:
    with tempfile.TemporaryDirectory(prefix="pipelinegen-fuzz-") as scratch:
        root = Path(scratch) / "repo"
        shutil.copytree(template, root, symlinks=True)
        (root / "services.yaml").write_bytes(text.encode("utf-8", "surrogatepass"))
        before = snapshot(root)
        # catch_exceptions=False: a traceback is an exception here, and fails the property.
        result = CliRunner().invoke(cli, ["generate", "--file", str(root / "services.yaml")],
                                    catch_exceptions=False)
        assert result.exit_code in (0, 2), result.output
        if result.exit_code == 2:
            assert result.stderr.startswith(("error: ", "services.yaml:")), result.stderr
            assert snapshot(root) == before
        return result.exit_code


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated())
def test_random_mutations_never_crash_and_a_refusal_writes_nothing(template: Path,
                                                                   text: str) -> None:
    event(f"exit {_run(template, text)}")  # shown by --hypothesis-show-statistics


def test_the_unmutated_file_generates(template: Path) -> None:
    assert _run(template, BUNDLED) == 0
