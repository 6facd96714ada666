"""Around each rollout: note the release running before, smoke-check after, record the result.

A failed rollout is undone by its strategy's script (rollout.py). A rollout that succeeds
but fails its smoke check - the chart's `helm test` pod fetching the health path through the
Service - is rolled back to the revision noted before it (or uninstalled if it was the first),
whatever the strategy. The job summary then records service, environment, digest, release
revision and result.
"""

from __future__ import annotations

from pipelinegen.core.model import Environment
from pipelinegen.emit.workflows.common import Step, step

BEFORE_ID = "before"

BEFORE_SCRIPT = """\
revision="$(helm history "${SERVICE}" -n "${NAMESPACE}" --max 1 -o json 2>/dev/null \\
  | jq -r '.[-1].revision // empty' || true)"
echo "Running before this deploy: revision ${revision:-none}"
echo "revision=${revision}" >> "${GITHUB_OUTPUT}"
"""

SMOKE_SCRIPT = """\
if helm test "${SERVICE}" -n "${NAMESPACE}" --timeout 5m --logs; then
  exit 0
fi
echo "::error::the smoke check of ${SERVICE} in ${NAMESPACE} failed: rolling back"
if [ -n "${BEFORE}" ]; then
  helm rollback "${SERVICE}" "${BEFORE}" -n "${NAMESPACE}" --wait --timeout 10m
else
  helm uninstall "${SERVICE}" -n "${NAMESPACE}" --wait
fi
exit 1
"""

SUMMARY_SCRIPT = """\
revision="$(helm history "${SERVICE}" -n "${NAMESPACE}" --max 1 -o json 2>/dev/null \\
  | jq -r '.[-1].revision // empty' || true)"
{
  echo "| service | environment | digest | release revision | result |"
  echo "| --- | --- | --- | ---: | --- |"
  echo "| ${SERVICE} | ${ENVIRONMENT} | \\`${DIGEST:-none}\\` | ${revision:-none} | ${RESULT} |"
} >> "${GITHUB_STEP_SUMMARY}"
"""


def _env(env: Environment) -> dict[str, str]:
    return {"SERVICE": "${{ matrix.service }}", "NAMESPACE": env.namespace}


def before(env: Environment) -> list[Step]:
    return [step("Note the release running now", id=BEFORE_ID, shell="bash", env=_env(env),
                 run=BEFORE_SCRIPT)]


def after(env: Environment, digest: str) -> list[Step]:
    return [
        step("Smoke check through the Service", shell="bash",
             env={**_env(env), "BEFORE": f"${{{{ steps.{BEFORE_ID}.outputs.revision }}}}"},
             run=SMOKE_SCRIPT),
        # Also after a failure: the summary says what runs now, and that this deploy failed.
        step("Record what was deployed", shell="bash", **{"if": "always()"},
             env={**_env(env), "ENVIRONMENT": env.name, "DIGEST": digest,
                  "RESULT": "${{ job.status }}"}, run=SUMMARY_SCRIPT),
    ]
