"""Deploys admit only what CI published: the exact digest, signed and attested by CI.

Before `helm upgrade`, each deploy job checks the digest it is about to roll out: a cosign
signature and a SLSA build-provenance attestation, both issued by GitHub's OIDC to this
repository's CI workflow running on the default branch (the identity publish signs with, see
supply.py). Anything else - unsigned, signed by a fork, a feature branch or another workflow -
stops the deploy with a message saying what was expected.
"""

from __future__ import annotations

from pipelinegen.core.inputs import Inputs
from pipelinegen.emit.workflows.common import Step, action, step
from pipelinegen.emit.workflows.supply import PUBLISHER

ISSUER = "https://token.actions.githubusercontent.com"
PROVENANCE = "https://slsa.dev/provenance/v1"


def identity(inputs: Inputs) -> str:
    """The certificate identity of a job in this repository's CI on the default branch."""
    project = inputs.model.project
    return (f"https://github.com/{project.repository}/{PUBLISHER}"
            f"@refs/heads/{project.default_branch}")


# Shell: both checks must pass, and what they verified must be this very digest.
SCRIPT = """\
ref="${IMAGE}@${DIGEST}"
refuse() {
  expected="signed by ${IDENTITY}, issuer ${ISSUER}"
  echo "::error::refusing to deploy ${ref}: ${1} (expected: ${expected})"
  exit 1
}
if ! signatures="$(cosign verify "${ref}" --certificate-identity "${IDENTITY}" \\
    --certificate-oidc-issuer "${ISSUER}" --output json)"; then
  refuse "no valid signature"
fi
jq -e --arg digest "${DIGEST}" \\
  'length > 0 and all(.[]; .critical.image["docker-manifest-digest"] == $digest)' \\
  <<< "${signatures}" > /dev/null || refuse "the signature is for another image"
if ! provenance="$(gh attestation verify "oci://${ref}" --repo "${REPOSITORY}" \\
    --cert-identity "${IDENTITY}" --cert-oidc-issuer "${ISSUER}" \\
    --predicate-type "${PREDICATE}" --bundle-from-oci --format json)"; then
  refuse "no valid build provenance"
fi
jq -e --arg sha "${DIGEST#sha256:}" --arg signer "${IDENTITY}" \\
  'length > 0 and all(.[]; .verificationResult
     | (.statement.subject | any(.digest.sha256 == $sha))
       and .signature.certificate.subjectAlternativeName == $signer)' \\
  <<< "${provenance}" > /dev/null || refuse "the provenance is for another image or signer"
echo "Verified ${ref}: signed and attested by ${IDENTITY}"
"""


def verify_steps(inputs: Inputs, image: str, digest: str) -> list[Step]:
    """Install cosign, then verify `image@digest`; to run before the rollout."""
    return [
        action(inputs, "Install cosign", "sigstore/cosign-installer"),
        step("Verify the signature and provenance", shell="bash", env={
            "IMAGE": image,
            "DIGEST": digest,
            "IDENTITY": identity(inputs),
            "ISSUER": ISSUER,
            "REPOSITORY": inputs.model.project.repository,
            "PREDICATE": PROVENANCE,
            "GH_TOKEN": "${{ github.token }}",
        }, run=SCRIPT),
    ]
