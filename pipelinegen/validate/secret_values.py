"""Rule secret-values: no value in the services file looks like a secret.

Secrets live in the secret store and the model only names them (`secrets:` references); a token
pasted into `env:` (or anywhere else) would be committed, rendered into a ConfigMap and shown in
every review. Two tests, as secret scanners do: the shapes of well-known credentials, and long
random-looking strings (high Shannon entropy), which is what generated keys are.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from pipelinegen.core.errors import Problem
from pipelinegen.validate.registry import Context, rule

RULE = "secret-values"
SHAPES = {
    "an AWS access key id": r"\b(AKIA|ASIA)[0-9A-Z]{16}\b",
    "a GitHub token": r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})",
    "a Slack token": r"\bxox[abprs]-[A-Za-z0-9-]{10,}",
    "a Stripe secret key": r"\b[rs]k_live_[0-9A-Za-z]{20,}",
    "a Google API key": r"\bAIza[0-9A-Za-z_-]{35}",
    "a JSON Web Token": r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
    "a private key": r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
    "a password in a URL": r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@",
}
_SHAPES = {what: re.compile(pattern) for what, pattern in SHAPES.items()}
_WORDS = re.compile(r"[A-Za-z0-9+/=_-]{20,}")
# Generated secrets are random: base64 and alphanumeric keys score well above 4 bits a
# character; words, paths and host names well below (an English identifier is about 3.5).
MIN_ENTROPY = 4.2
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
# Image digests are pinned on purpose; nothing else in `bases` is free text.
SKIPPED = ("bases",)


def entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def looks_secret(value: str) -> str | None:
    """What the value looks like, or None when it looks like no secret."""
    for what, pattern in _SHAPES.items():
        if pattern.search(value):
            return what
    for word in _WORDS.findall(_DIGEST.sub("", value)):
        if entropy(word) >= MIN_ENTROPY and not word.isalpha():
            return f"a random string of {len(word)} characters (entropy {entropy(word):.1f})"
    return None


def _strings(node: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if not (not loc and key in SKIPPED):
                yield from _strings(value, (*loc, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*loc, index))
    elif isinstance(node, str):
        yield loc, node


@rule(RULE)
def secret_values(context: Context) -> Iterator[Problem]:
    """No value in the services file looks like a secret (a known token shape, or random).

    Passes:  env: {LOG_LEVEL: info}; secrets: {TOKEN: {secret: api-webhooks, key: token}}
    Fails:   env: {PAYMENTS_KEY: sk_live_4eC39HqLyjWDarjtT1zdp7dc}
             env: {SIGNING_KEY: 9c1Yp0tXq7LzR2mV4bN8sK3wE6hJ5fD0}
    """
    source = context.inputs.source
    data = context.model.model_dump(exclude_defaults=True)
    for loc, value in _strings(data, ()):
        what = looks_secret(value)
        if what is None:
            continue
        line, col = context.positions.of(loc)
        dotted = ".".join(str(part) for part in loc)
        yield Problem(source, line, col, RULE, f"{dotted}: this looks like {what}",
                      "never commit a secret: put it in the secret store and reference it,"
                      " e.g. secrets: {VAR: {secret: <name>, key: <key>}}")
