""".github/CODEOWNERS: who reviews each path, from the services' owners.

A service's owners own its path; a shared path (a `depends_on` entry) is owned by the owners of
every service that depends on it; the services file and everything generated from it are owned by
`project.owners`, or by every owner when that is empty. GitHub applies the last matching line, so
entries are sorted by path (a directory before what is inside it) and the repository-wide files
come last. Above them, a kept section holds the repository's own lines (kept.py): they apply
where no generated line matches, since a later line wins.
"""

from __future__ import annotations

from collections import defaultdict

from pipelinegen.core import kept, layout
from pipelinegen.core.inputs import Inputs
from pipelinegen.emit.header import header

PATH = layout.CODEOWNERS
# Files generated from the model: whoever may change the model reviews what it produces.
GENERATED = ("/.github/", "/docs/devops/", "/generated/", "/specs/")


def emit(inputs: Inputs) -> dict[str, str]:
    model = inputs.model
    directories = {service.path for service in model.services.values()}
    owned: dict[str, set[str]] = defaultdict(set)
    for service in model.services.values():
        owned[f"/{service.path}/"].update(service.owners)
        for shared in service.depends_on:
            # No trailing slash unless it is a service's directory: it may be a file.
            owned[f"/{shared}/" if shared in directories else f"/{shared}"].update(service.owners)
    everyone = {owner for service in model.services.values() for owner in service.owners}
    platform = sorted(set(model.project.owners) or everyone)

    lines = [header(inputs.source).rstrip("\n"), "",
             "# Your own lines go in this section, which generation keeps (lines below win).",
             kept.BEGIN.decode(), kept.END.decode(), "",
             "# Each service's path, and shared paths, owned by every service that uses them."]
    lines += [f"{path} {' '.join(sorted(owners))}" for path, owners in sorted(owned.items())
              if owners]
    if platform:
        lines += ["", "# The services file and the files generated from it."]
        # The Terraform (IAM roles and policies among it) too, when there is any.
        infra = ("/infra/terraform/",) if model.project.aws is not None else ()
        lines += [f"{path} {' '.join(platform)}"
                  for path in (f"/{inputs.source}", *GENERATED, *infra)]
    return {PATH: "\n".join(lines) + "\n"}
