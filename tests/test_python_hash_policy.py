"""One policy for Python requirement hashes (issue 12, item 5): the CI test step and the
Dockerfile's install run the same shell, `--require-hashes` exactly when the file has hashes.

Both generated scripts are taken from the generated files and run with the real `sh` and pip,
against a local wheel, so no index is needed.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from ruamel.yaml import YAML

CASE = Path(__file__).resolve().parent / "cases" / "all-stacks" / "services.yaml"


def _digest(text: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()


def wheel(directory: Path, name: str = "hashdemo") -> Path:
    """A tiny, valid wheel of a package `name`."""
    path = directory / f"{name}-1.0-py3-none-any.whl"
    info = f"{name}-1.0.dist-info"
    files = {
        f"{name}/__init__.py": "VALUE = 1\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                         "Tag: py3-none-any\n",
    }
    record = [f"{file},sha256={_digest(text)},{len(text)}" for file, text in files.items()]
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    with zipfile.ZipFile(path, "w") as archive:
        for file, text in files.items():
            archive.writestr(file, text)
    return path


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The CI test step's and the Dockerfile's install scripts for service `orders`."""
    from click.testing import CliRunner

    from pipelinegen.cli import cli

    root = tmp_path_factory.mktemp("gen")
    (root / "services.yaml").write_text(CASE.read_text())
    done = CliRunner().invoke(cli, ["generate", "--file", str(root / "services.yaml")])
    assert done.exit_code == 0, done.output
    ci = YAML(typ="safe").load((root / ".github/workflows/ci.yml").read_text())
    test = next(s for s in ci["jobs"]["build"]["steps"] if s["name"] == "Test (python)")
    # The install block only: the tests and the coverage gate follow it.
    install, end, _ = test["run"].partition("\nfi\n")
    assert install.startswith("if [ -f requirements.txt ]; then") and end, test["run"]
    ci_script = install + end
    text = (root / "generated/docker/orders.Dockerfile").read_text()
    run = re.search(r"^RUN --mount=\S+ (mkdir -p /opt/deps.*?requirements\.txt)$", text,
                    re.M | re.S)
    assert run, text
    docker_script = run.group(1).replace("\\\n", "")
    return {"ci": ci_script, "dockerfile": docker_script}


def run(script: str, directory: Path, target: Path) -> subprocess.CompletedProcess[str]:
    shim = directory / "bin"
    shim.mkdir(exist_ok=True)
    if not (shim / "python").exists():
        (shim / "python").symlink_to(sys.executable)
    script = script.replace("/opt/deps", str(target))
    env = {**os.environ, "PATH": f"{shim}:{os.environ['PATH']}", "PIP_NO_INDEX": "1",
           "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    if "--target" not in script:  # the CI step installs into the running Python: keep it apart
        env["PIP_TARGET"] = str(target)
    return subprocess.run(["sh", "-c", script], cwd=directory, env=env, capture_output=True,
                          text=True, check=False)


@pytest.mark.parametrize("where", ["ci", "dockerfile"])
@pytest.mark.parametrize(("hashed", "ok"), [("none", True), ("right", True), ("wrong", False),
                                            ("partly", False)])
def test_both_install_scripts_follow_the_same_hash_policy(
        scripts: dict[str, str], tmp_path: Path, where: str, hashed: str, ok: bool) -> None:
    built = wheel(tmp_path)
    digest = hashlib.sha256(built.read_bytes()).hexdigest()
    other = wheel(tmp_path, "otherdemo")
    lines = {
        "none": f"{built}\n",
        "right": f"{built} --hash=sha256:{digest}\n",
        "wrong": f"{built} --hash=sha256:{'0' * 64}\n",
        # With hashes, every requirement needs one: --require-hashes is on for the whole file.
        "partly": f"{built} --hash=sha256:{digest}\n{other}\n",
    }
    (tmp_path / "requirements.txt").write_text(lines[hashed])
    done = run(scripts[where], tmp_path, tmp_path / "deps")
    assert (done.returncode == 0) == ok, done.stdout + done.stderr
    assert (tmp_path / "deps" / "hashdemo" / "__init__.py").is_file() == ok
