"""Shared by the cosign and gh stand-ins: recorded answers filled in for the image asked about."""

import json
import os
from pathlib import Path


def flag(args, name):
    return args[args.index(name) + 1] if name in args else None


def log(tool, args):
    with open(os.environ["SIGSTORE_LOG"], "a") as out:
        out.write(json.dumps([tool, *args]) + "\n")


def fill(record, ref, identity, issuer):
    # SIGSTORE_ANSWERS_FOR=tool:image@digest makes one tool answer about another image.
    tool, _, other = os.environ.get("SIGSTORE_ANSWERS_FOR", "").partition(":")
    if other and record.startswith(tool):
        ref = other
    repository, _, digest = ref.partition("@")
    # The identity is https://github.com/OWNER/REPO/.github/workflows/ci.yml@REF
    source_repository = identity.removeprefix("https://github.com/").split("/.github/")[0]
    values = {"repository": repository, "digest": digest, "sha": digest.removeprefix("sha256:"),
              "identity": identity, "issuer": issuer, "source_repository": source_repository,
              "source_ref": identity.rpartition("@")[2]}
    text = (Path(__file__).parent / record).read_text()
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return json.loads(text)
