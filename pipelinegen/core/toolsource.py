"""Where CI gets pipelinegen from (`project.ci.pipelinegen`), and that it is the pipelinegen
writing the files.

The manifest records the version that wrote the generated files, and CI's `pipelinegen check`
compares with it, so CI must install exactly that version. Three forms:
- omitted, or a version ("0.1.0"): `pipelinegen[docker]==<version>` from the package index;
  a version other than the running one is refused (the files would not be what it writes);
- a pinned git commit ("git+https://github.com/OWNER/REPO@<40 hex>"): pip installs that commit;
  refused unless the running pipelinegen was installed from that commit (PEP 610 records it);
- the checkout ("." or "./path"): pip installs the repository itself (pipelinegen's own
  repository, or one that vendors it), which is the code that generated the files in it.
"""

from __future__ import annotations

import json
import re
from importlib import metadata

from pipelinegen import __version__

VERSION = r"[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?"
GIT = r"git\+https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._-]+)+@[0-9a-f]{40}"
CHECKOUT = r"\.(/[A-Za-z0-9_][A-Za-z0-9._-]*)*"
PATTERN = rf"^({VERSION}|{GIT}|{CHECKOUT})$"
EXTRAS = "[docker]"  # image-size in the build job needs the Docker SDK


def requirement(value: str | None) -> str:
    """The pip argument CI installs."""
    if value is None or re.fullmatch(VERSION, value):
        return f"pipelinegen{EXTRAS}=={value or __version__}"
    if value.startswith("git+"):
        return f"pipelinegen{EXTRAS} @ {value}"
    return f"{value}{EXTRAS}"


def installed_commit() -> str | None:
    """The git commit the running pipelinegen was installed from (PEP 610), if any."""
    try:
        text = metadata.distribution("pipelinegen").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    commit = json.loads(text or "{}").get("vcs_info", {}).get("commit_id")
    return commit if isinstance(commit, str) else None


def mismatch(value: str | None) -> tuple[str, str] | None:
    """(problem, hint) when CI would install another pipelinegen than the one running."""
    if value is None or value.startswith("."):
        return None
    if re.fullmatch(VERSION, value):
        if value == __version__:
            return None
        return (f"CI installs pipelinegen {value}, but this is pipelinegen {__version__}:"
                f" the files it writes are not what {value}'s `check` expects",
                f"install pipelinegen=={value} to generate, or set it to \"{__version__}\"")
    commit = value.rsplit("@", 1)[1]
    running = installed_commit()
    if running == commit:
        return None
    return (f"CI installs pipelinegen at commit {commit[:12]}, but this pipelinegen was"
            f" {'installed from commit ' + running[:12] if running else 'not installed from git'}",
            f"install that commit (`pip install 'pipelinegen[docker] @ {value}'`) to generate,"
            " or pin the commit you run")
