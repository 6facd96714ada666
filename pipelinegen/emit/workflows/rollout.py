"""The shell that rolls a service out in one environment, per strategy (the Helm values contract).

Every script reads SERVICE, NAMESPACE, ENVIRONMENT and DIGEST from the step's env, waits for
the rollout (`--wait`) and undoes a failed one: rolling by `--atomic`, canary by rolling back to
the revision it started from, blue-green by switching traffic back to the old colour.
"""

from __future__ import annotations

from pipelinegen.core import layout

# Shared by every strategy: where the chart is, and how to undo to the starting revision.
PREAMBLE = f"""\
chart="{layout.chart_dir("${SERVICE}")}"
values="${{chart}}/{layout.environment_values("${ENVIRONMENT}")}"
# The repository's own values for what the model does not cover; generate never writes them.
own=()
if [ -f "{layout.own_values("${SERVICE}", "${ENVIRONMENT}")}" ]; then
  own=(-f "{layout.own_values("${SERVICE}", "${ENVIRONMENT}")}")
fi
release() {{
  helm upgrade --install "${{SERVICE}}" "${{chart}}" -n "${{NAMESPACE}}" -f "${{values}}" \\
    "${{own[@]}}" --timeout 10m "$@"
}}
"""

ROLLBACK = """\
current="$(helm get values "${SERVICE}" -n "${NAMESPACE}" -o json 2>/dev/null || echo '{}')"
revision="$(helm history "${SERVICE}" -n "${NAMESPACE}" --max 1 -o json 2>/dev/null \\
  | jq -r '.[-1].revision // empty' || true)"
rollback() {
  echo "::error::${1}: rolling ${SERVICE} back in ${NAMESPACE}"
  if [ -n "${revision}" ]; then
    helm rollback "${SERVICE}" "${revision}" -n "${NAMESPACE}" --wait --timeout 10m
  else
    helm uninstall "${SERVICE}" -n "${NAMESPACE}" --wait
  fi
  exit 1
}
"""

ROLLING = PREAMBLE + """\
# --atomic rolls the release back by itself when the rollout does not become ready.
release --set "image.digest=${DIGEST}" --wait --atomic
"""

CANARY = PREAMBLE + ROLLBACK + """\
stable="$(jq -r '.image.digest // empty' <<< "${current}")"
stable="${stable:-${DIGEST}}"
# 1. The canary runs the new digest beside the stable pods.
release --set "image.digest=${stable}" --set "canary.digest=${DIGEST}" --wait \\
  || rollback "the canary did not become ready"
# 2. Promote: the stable pods take the new digest and the canary goes away.
release --set "image.digest=${DIGEST}" --set "canary.digest=" --wait \\
  || rollback "the promotion did not become ready"
"""

BLUE_GREEN = PREAMBLE + ROLLBACK + """\
active="$(jq -r '.blueGreen.active // "blue"' <<< "${current}")"
if [ "${active}" = blue ]; then idle=green; else idle=blue; fi
live="$(jq -r --arg colour "${active}" '.blueGreen[$colour].digest // empty' <<< "${current}")"
live="${live:-${DIGEST}}"
colours=(--set "blueGreen.${active}.digest=${live}" --set "blueGreen.${idle}.digest=${DIGEST}")
# 1. The idle colour gets the new digest; traffic stays on the active colour.
release "${colours[@]}" --set "blueGreen.active=${active}" --wait \\
  || rollback "the ${idle} pods did not become ready"
# 2. Switch traffic to the new colour; switch back if that fails.
if ! release "${colours[@]}" --set "blueGreen.active=${idle}" --wait; then
  echo "::error::switching ${SERVICE} to ${idle} failed: switching back to ${active}"
  release "${colours[@]}" --set "blueGreen.active=${active}" --wait
  exit 1
fi
"""

SCRIPTS = {"rolling": ROLLING, "canary": CANARY, "blue-green": BLUE_GREEN}
