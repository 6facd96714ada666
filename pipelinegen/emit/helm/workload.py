"""Go templates of a chart's workload: the helpers and the Deployments.

The templates are the same for every service; what differs lives in the values. Every
Deployment, whatever the strategy, is rendered from the one hardened pod template below.
"""

from __future__ import annotations

HELPERS = """\
{{/* Names: the release name when it already holds the chart name (the usual `helm upgrade
--install <service> ...`), else <release>-<chart>. */}}
{{- define "svc.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "svc.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 56 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 56 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "svc.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selects every pod of the release, whatever its track. */}}
{{- define "svc.selectorLabels" -}}
app.kubernetes.io/name: {{ include "svc.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "svc.labels" -}}
helm.sh/chart: {{ include "svc.chart" . }}
{{ include "svc.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: {{ .Values.partOf }}
{{- end -}}

{{/* Values for one environment must not be installed into another environment's namespace. */}}
{{- define "svc.guard" -}}
{{- with .Values.environment.namespace -}}
{{- if ne . $.Release.Namespace -}}
{{- fail (printf "values for environment %q belong in namespace %q, not %q"
    $.Values.environment.name . $.Release.Namespace) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* repository@digest when a digest is given, else repository:tag. */}}
{{- define "svc.image" -}}
{{- if .digest -}}
{{- printf "%s@%s" .image.repository .digest -}}
{{- else -}}
{{- printf "%s:%s" .image.repository (.image.tag | toString) -}}
{{- end -}}
{{- end -}}

{{/* The Deployments the strategy asks for, as a JSON list of
{name, track, digest, replicas, autoscaled}:
  rolling:    <fullname> (track stable)
  canary:     <fullname> (stable, image.digest) + <fullname>-canary while canary.digest is set
  blue-green: <fullname>-blue and <fullname>-green. A colour runs when it has a digest. The
              active colour without one runs image.digest (or the tag), except on a first
              install that deploys only the other colour: nothing is known to run there yet. */}}
{{- define "svc.deployments" -}}
{{- $v := .Values -}}
{{- $full := include "svc.fullname" . -}}
{{- $out := list -}}
{{- if eq $v.strategy "blue-green" -}}
{{- range $colour := list "blue" "green" -}}
{{- $digest := (index $v.blueGreen $colour).digest -}}
{{- $other := (index $v.blueGreen (ternary "green" "blue" (eq $colour "blue"))).digest -}}
{{- $active := eq $v.blueGreen.active $colour -}}
{{- if or $digest (and $active (or $v.image.digest (not $other))) -}}
{{- $out = append $out (dict "name" (printf "%s-%s" $full $colour) "track" $colour
    "digest" (default $v.image.digest $digest) "replicas" $v.replicas
    "autoscaled" $v.autoscaling.enabled) -}}
{{- end -}}
{{- end -}}
{{- else -}}
{{- $out = append $out (dict "name" $full "track" "stable" "digest" $v.image.digest
    "replicas" $v.replicas "autoscaled" $v.autoscaling.enabled) -}}
{{- if and (eq $v.strategy "canary") $v.canary.digest -}}
{{- $out = append $out (dict "name" (printf "%s-canary" $full) "track" "canary"
    "digest" $v.canary.digest "replicas" $v.canary.replicas "autoscaled" false) -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* More than one pod: worth a PodDisruptionBudget and a topology spread. */}}
{{- define "svc.replicated" -}}
{{- if .Values.autoscaling.enabled -}}
{{- if gt (int .Values.autoscaling.minReplicas) 1 }}true{{ end -}}
{{- else if gt (int .Values.replicas) 1 }}true{{ end -}}
{{- end -}}

{{/* Egress to the cluster DNS (kube-dns in kube-system), UDP and TCP: every pod of the chart
that may reach anything needs its names resolved. */}}
{{- define "svc.dnsEgress" -}}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end -}}

{{/* How the kubelet checks the container: GET the health path (http), the standard gRPC
health check (grpc: Kubernetes' own client), or the health command of a service without a port.
The image's HEALTHCHECK checks the same. */}}
{{- define "svc.probe" -}}
{{- if not .Values.port -}}
exec:
  command:
    {{- toYaml .Values.healthCommand | nindent 4 }}
timeoutSeconds: 5
{{- else if eq .Values.protocol "grpc" -}}
grpc:
  port: {{ .Values.port }}
  service: {{ .Values.healthService | quote }}
{{- else -}}
httpGet:
  path: {{ .Values.health }}
  port: http
{{- end -}}
{{- end -}}

{{/* The `helm test` pod: its labels (the service's NetworkPolicy admits it by them) and the
check it runs against the Service. */}}
{{- define "svc.testLabels" -}}
helm.sh/chart: {{ include "svc.chart" . }}
app.kubernetes.io/name: {{ include "svc.name" . }}-test
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: {{ .Values.partOf }}
{{- end -}}

{{- define "svc.testCommand" -}}
{{- $address := printf "%s:%v" (include "svc.fullname" .) .Values.port -}}
{{- if eq .Values.protocol "grpc" -}}
- {{ .Values.tests.grpcProbe }}
- -addr
- {{ $address }}
- -service
- {{ .Values.healthService | quote }}
{{- else -}}
- wget
- -q
- -T
- "4"
- -O
- /dev/null
- http://{{ $address }}{{ .Values.health }}
{{- end -}}
{{- end -}}

{{/* The hardened security context of every container (Pod Security Standard "restricted"). */}}
{{- define "svc.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "svc.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
fsGroup: {{ .Values.podSecurity.runAsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}
"""

DEPLOYMENT = """\
{{- include "svc.guard" . -}}
{{- range $d := include "svc.deployments" . | fromJsonArray }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $d.name }}
  namespace: {{ $.Release.Namespace }}
  labels:
    {{- include "svc.labels" $ | nindent 4 }}
    pipelinegen.dev/track: {{ $d.track }}
spec:
  {{- if not $d.autoscaled }}
  replicas: {{ $d.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: {{ $.Values.rollingUpdate.maxUnavailable }}
      maxSurge: {{ $.Values.rollingUpdate.maxSurge }}
  selector:
    matchLabels:
      {{- include "svc.selectorLabels" $ | nindent 6 }}
      pipelinegen.dev/track: {{ $d.track }}
  template:
    metadata:
      labels:
        {{- include "svc.labels" $ | nindent 8 }}
        pipelinegen.dev/track: {{ $d.track }}
      annotations:
        checksum/env: {{ toJson $.Values.env | sha256sum }}
    spec:
      serviceAccountName: {{ include "svc.fullname" $ }}
      automountServiceAccountToken: false
      enableServiceLinks: false
      securityContext:
        {{- include "svc.podSecurityContext" $ | nindent 8 }}
      {{- if include "svc.replicated" $ }}
      topologySpreadConstraints:
        {{- range $key := list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
        - maxSkew: 1
          topologyKey: {{ $key }}
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "svc.selectorLabels" $ | nindent 14 }}
              pipelinegen.dev/track: {{ $d.track }}
          matchLabelKeys:
            - pod-template-hash
        {{- end }}
      {{- end }}
      containers:
        - name: {{ include "svc.name" $ }}
          image: {{ include "svc.image" (dict "image" $.Values.image "digest" $d.digest) | quote }}
          imagePullPolicy: {{ $.Values.image.pullPolicy }}
          {{- if $.Values.port }}
          ports:
            - name: {{ $.Values.protocol }}
              containerPort: {{ $.Values.port }}
              protocol: TCP
          {{- end }}
          {{- if $.Values.env }}
          envFrom:
            - configMapRef:
                name: {{ include "svc.fullname" $ }}-env
          {{- end }}
          env:
            {{- /* The PORT convention: the app listens on $PORT, the model's port. */}}
            {{- with $.Values.port }}
            - name: PORT
              value: {{ . | quote }}
            {{- end }}
            {{- range $name, $ref := $.Values.secrets }}
            - name: {{ $name }}
              valueFrom:
                secretKeyRef:
                  name: {{ include "svc.secretName" (dict "root" $ "secret" $ref.secret) }}
                  key: {{ $ref.key | quote }}
            {{- end }}
          startupProbe:
            {{- include "svc.probe" $ | nindent 12 }}
            periodSeconds: 2
            failureThreshold: 30
          readinessProbe:
            {{- include "svc.probe" $ | nindent 12 }}
            periodSeconds: 5
            failureThreshold: 3
          livenessProbe:
            {{- include "svc.probe" $ | nindent 12 }}
            periodSeconds: 10
            failureThreshold: 3
          resources:
            {{- toYaml $.Values.resources | nindent 12 }}
          securityContext:
            {{- include "svc.containerSecurityContext" $ | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
{{- end }}
"""
