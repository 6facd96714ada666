"""generated/observability/alertmanager.yaml: Alertmanager routing from owners and severities.

Each owner team (a service's first owner) with on-call routing gets two routes: `page` alerts
to its page receiver (PagerDuty, say), `ticket` alerts to its ticket receiver (Slack, say).
Alerts are grouped per alert, service, SLO and namespace, and a firing page inhibits the ticket
of the same service, SLO and namespace: one incident, one notification.

Keys and webhook URLs are never in the file: each receiver reads its secret from a file where
the Prometheus Operator mounts the Secrets listed in the Alertmanager's `spec.secrets`
(`/etc/alertmanager/secrets/<secret>/<key>`).
"""

from __future__ import annotations

from typing import Any

from pipelinegen.core.model import Model, Receiver, SecretRef

SECRETS_DIR = "/etc/alertmanager/secrets"
UNROUTED = "unrouted"  # the root's receiver; validation routes every alerting service elsewhere
GROUP_BY = ["alertname", "service", "slo", "namespace"]
REPEAT = {"page": "1h", "ticket": "12h"}


def secret_file(ref: SecretRef) -> str:
    return f"{SECRETS_DIR}/{ref.secret}/{ref.key}"


def receiver(name: str, spec: Receiver) -> dict[str, Any]:
    if spec.pagerduty is not None:
        return {"name": name, "pagerduty_configs": [{
            "routing_key_file": secret_file(spec.pagerduty.routing_key),
            "send_resolved": True,
            "description": "{{ .CommonAnnotations.summary }}",
            "details": {"runbook": "{{ .CommonAnnotations.runbook_url }}",
                        "description": "{{ .CommonAnnotations.description }}"},
        }]}
    assert spec.slack is not None
    return {"name": name, "slack_configs": [{
        "api_url_file": secret_file(spec.slack.webhook),
        "channel": spec.slack.channel,
        "send_resolved": True,
        "title": "{{ .CommonAnnotations.summary }}",
        "text": "{{ .CommonAnnotations.description }}\n"
                "Runbook: {{ .CommonAnnotations.runbook_url }}",
    }]}


def config(model: Model) -> dict[str, Any]:
    obs = model.project.observability
    routes = [
        {"matchers": [f'owner="{owner}"', f'severity="{severity}"'],
         "receiver": getattr(routing, severity),
         "repeat_interval": REPEAT[severity]}
        for owner, routing in sorted(obs.oncall.items())
        for severity in ("page", "ticket")
    ]
    return {
        "route": {
            "receiver": UNROUTED,
            "group_by": GROUP_BY,
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": "4h",
            "routes": routes,
        },
        "inhibit_rules": [{
            "source_matchers": ['severity="page"'],
            "target_matchers": ['severity="ticket"'],
            "equal": ["service", "slo", "namespace"],
        }],
        "receivers": [{"name": UNROUTED},
                      *(receiver(name, spec) for name, spec in sorted(obs.receivers.items()))],
    }
