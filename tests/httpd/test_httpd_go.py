"""The shipped static file server's Go unit tests (httpd_test.go beside this file), run with the
real Go toolchain: files, health, no directory listings, and its Prometheus metrics."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.observability import REPO, run, tool

HTTPD = REPO / "pipelinegen" / "data" / "pipelinegen-httpd.go"


def test_go_unit_tests_of_the_static_file_server_pass(tmp_path: Path) -> None:
    # One package of two files: the shipped source as is, and its tests, kept out of the wheel.
    shutil.copy(HTTPD, tmp_path / "pipelinegen-httpd.go")
    shutil.copy(Path(__file__).with_name("httpd_test.go"), tmp_path / "httpd_test.go")
    done = run(tool("go"), "test", "-count=1", "-cover", "pipelinegen-httpd.go", "httpd_test.go",
               cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ok "), done.stdout
