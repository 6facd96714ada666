"""The vulnerability scan and its gate, wherever an image is judged: build, deploy, re-scan.

The scanner (grype through anchore/scan-action, or trivy through aquasecurity/trivy-action,
pinned by commit: its tags were force-pushed to a credential stealer in March 2026) only
writes a JSON report; `pipelinegen vuln-gate` decides, with the model's severity threshold
(per environment) and its expiring exceptions, so every place applies the same rule.
"""

from __future__ import annotations

from pipelinegen.core.inputs import Inputs
from pipelinegen.emit.workflows.common import Step, action, file_option, step

SCAN_ID = "scan"
TRIVY_REPORT = "${{ runner.temp }}/trivy.json"
# trivy 0.69.4 was the release published with the March 2026 compromise; 0.69.3 predates it.
TRIVY_VERSION = "v0.69.3"


def scanner_step(inputs: Inputs, image: str) -> tuple[Step, str]:
    """The scan step (report only, never failing) and the expression of its report's path."""
    if inputs.model.project.vulnerabilities.scanner == "trivy":
        return action(inputs, "Scan for vulnerabilities", "aquasecurity/trivy-action", {
            "image-ref": image, "scan-type": "image", "format": "json",
            "output": TRIVY_REPORT, "exit-code": "0", "version": TRIVY_VERSION,
        }, id=SCAN_ID), TRIVY_REPORT
    return action(inputs, "Scan for vulnerabilities", "anchore/scan-action", {
        "image": image, "fail-build": False, "output-format": "json",
    }, id=SCAN_ID), f"${{{{ steps.{SCAN_ID}.outputs.json }}}}"


def scan_steps(inputs: Inputs, image: str, environment: str | None = None,
               env: dict[str, str] | None = None) -> list[Step]:
    """Scan `image`, then gate on the report (with the environment's threshold, if given);
    the gate step reads SERVICE from its job's env, or from `env`."""
    scan, report = scanner_step(inputs, image)
    where = f' --environment "{environment}"' if environment else ""
    return [
        scan,
        step("Gate on vulnerabilities", id="gate", env={"REPORT": report, **(env or {})},
             run=f'pipelinegen vuln-gate{file_option(inputs)} --service "${{SERVICE}}"{where}'
                 ' --report "${REPORT}"\n'),
    ]
