"""Publishing with a supply chain: each pushed image signed and attested by its digest.

After `publish` pushes an image, cosign signs it keylessly (a short-lived Sigstore certificate
for this workflow's OIDC identity), and GitHub's attest actions record its SLSA build
provenance and its SBOM as attestations stored beside it in the registry. The deploys verify
exactly these (see verify.py). Only the publish job may mint an OIDC token for signing.
"""

from __future__ import annotations

from pipelinegen.core import layout
from pipelinegen.core.inputs import Inputs
from pipelinegen.core.yamlio import with_comments
from pipelinegen.emit.workflows.common import Step, action, step

PUBLISHER = layout.CI_WORKFLOW  # the workflow whose OIDC identity signs
PUSH_ID = "push"
DIGEST = "${{ steps.push.outputs.digest }}"
# The build job writes the SBOM of the checked image here and hands it on with the image.
SBOM_FILE = "${{ runner.temp }}/sbom.cdx.json"

# The publish job's scopes and why it holds each (zizmor's undocumented-permissions).
WHY = {
    "id-token": "get the OIDC token keyless signing and attestations are issued for",
    "attestations": "store the provenance and SBOM attestations",
    "packages": "push images, signatures and attestations to the registry",
}


def publish_permissions(registry_token: bool) -> dict[str, str]:
    """`packages: write` only where GITHUB_TOKEN pushes (ghcr.io); else a secret does."""
    scopes = ["id-token", "attestations"] + (["packages"] if registry_token else [])
    return with_comments({scope: "write" for scope in scopes}, {s: WHY[s] for s in scopes})


def repository(inputs: Inputs) -> str:
    """The matrix leg's image repository, without tag or digest."""
    return f"{inputs.model.project.registry}/${{{{ matrix.service }}}}"


def sign_and_attest(inputs: Inputs) -> list[Step]:
    """The steps after the push step (id `push`, output `digest`): sign, then attest."""
    subject = {"subject-name": repository(inputs), "subject-digest": DIGEST,
               "push-to-registry": True}
    return [
        action(inputs, "Install cosign", "sigstore/cosign-installer"),
        # By digest, never by tag: a tag can move, the signed bytes cannot.
        step("Sign the image (keyless)", env={"REPOSITORY": repository(inputs),
                                              "DIGEST": DIGEST},
             run='cosign sign --yes "${REPOSITORY}@${DIGEST}"\n'),
        action(inputs, "Attest the build provenance", "actions/attest-build-provenance",
               subject),
        action(inputs, "Attest the SBOM", "actions/attest-sbom",
               {**subject, "sbom-path": SBOM_FILE}),
    ]
