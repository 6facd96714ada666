"""Go templates of the chart's External Secrets Operator objects (external-secrets.io/v1).

One SecretStore per release, in the release's namespace, that logs in as the service's own
service account: it reads only what that account's IAM role (or Vault role) may read. One
ExternalSecret per Secret the pods read, owned by it (deleted with it), synced every
`secretStore.refreshInterval`.
"""

from __future__ import annotations

# The name of the Secret a `secrets` entry reads: synced and owned by the release when a store
# is set (so two services reading one stored secret never fight over one Secret), else the
# hand-made Secret of the model's name.
SECRET_NAME_HELPER = """\
{{- define "svc.secretName" -}}
{{- if .root.Values.secretStore.provider -}}
{{- printf "%s-%s" (include "svc.fullname" .root) .secret -}}
{{- else -}}
{{- .secret -}}
{{- end -}}
{{- end -}}
"""

SECRET_STORE = """\
{{- with .Values.secretStore }}
{{- if .provider }}
apiVersion: external-secrets.io/v1
kind: SecretStore
metadata:
  name: {{ include "svc.fullname" $ }}
  namespace: {{ $.Release.Namespace }}
  labels:
    {{- include "svc.labels" $ | nindent 4 }}
spec:
  provider:
    {{- if eq .provider "aws" }}
    aws:
      service: SecretsManager
      region: {{ .aws.region }}
      auth:
        jwt:
          serviceAccountRef:
            name: {{ include "svc.fullname" $ }}
    {{- else }}
    vault:
      server: {{ .vault.server | quote }}
      path: {{ .vault.path | quote }}
      version: v2
      auth:
        kubernetes:
          mountPath: {{ .vault.authMountPath | quote }}
          role: {{ .vault.role | quote }}
          serviceAccountRef:
            name: {{ include "svc.fullname" $ }}
    {{- end }}
{{- end }}
{{- end }}
"""

EXTERNAL_SECRETS = """\
{{- if .Values.secretStore.provider }}
{{- range $secret := .Values.externalSecrets }}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: {{ include "svc.secretName" (dict "root" $ "secret" $secret.name) }}
  namespace: {{ $.Release.Namespace }}
  labels:
    {{- include "svc.labels" $ | nindent 4 }}
spec:
  refreshInterval: {{ $.Values.secretStore.refreshInterval }}
  secretStoreRef:
    kind: SecretStore
    name: {{ include "svc.fullname" $ }}
  target:
    name: {{ include "svc.secretName" (dict "root" $ "secret" $secret.name) }}
    creationPolicy: Owner
    deletionPolicy: Retain
  data:
    {{- range $key := $secret.keys }}
    - secretKey: {{ $key | quote }}
      remoteRef:
        key: {{ $secret.remoteKey | quote }}
        property: {{ $key | quote }}
    {{- end }}
{{- end }}
{{- end }}
"""
