"""Go templates of a chart's other objects: Service, ServiceAccount, ConfigMap, Ingress, HPA,
PodDisruptionBudget, NetworkPolicy, ServiceMonitor, the `helm test` hook and NOTES.txt."""

from __future__ import annotations

SERVICE = """\
{{- if .Values.port }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "svc.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "svc.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "svc.selectorLabels" . | nindent 4 }}
    {{- if eq .Values.strategy "blue-green" }}
    pipelinegen.dev/track: {{ .Values.blueGreen.active }}
    {{- end }}
  ports:
    - name: {{ .Values.protocol }}
      port: {{ .Values.port }}
      targetPort: {{ .Values.protocol }}
      protocol: TCP
      {{- if eq .Values.protocol "grpc" }}
      appProtocol: grpc
      {{- end }}
{{- end }}
"""

SERVICE_ACCOUNT = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "svc.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "svc.labels" . | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
"""

CONFIG_MAP = """\
{{- if .Values.env }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "svc.fullname" . }}-env
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "svc.labels" . | nindent 4 }}
data:
  {{- toYaml .Values.env | nindent 2 }}
{{- end }}
"""

INGRESS = """\
{{- if and .Values.ingress.enabled .Values.port (eq .Values.protocol "http") }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "svc.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "svc.labels" . | nindent 4 }}
spec:
  {{- with .Values.ingress.className }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- with .Values.ingress.tlsSecret }}
  tls:
    - hosts:
        - {{ $.Values.ingress.host | quote }}
      secretName: {{ . }}
  {{- end }}
  rules:
    - host: {{ .Values.ingress.host | quote }}
      http:
        paths:
          - path: {{ .Values.ingress.path }}
            pathType: Prefix
            backend:
              service:
                name: {{ include "svc.fullname" . }}
                port:
                  name: http
{{- end }}
"""

HPA = """\
{{- if .Values.autoscaling.enabled }}
{{- range $d := include "svc.deployments" . | fromJsonArray }}
{{- if $d.autoscaled }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ $d.name }}
  namespace: {{ $.Release.Namespace }}
  labels:
    {{- include "svc.labels" $ | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $d.name }}
  minReplicas: {{ $.Values.autoscaling.minReplicas }}
  maxReplicas: {{ $.Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $.Values.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- end }}
{{- end }}
"""

PDB = """\
{{- if include "svc.replicated" . }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "svc.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "svc.labels" . | nindent 4 }}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      {{- include "svc.selectorLabels" . | nindent 6 }}
{{- end }}
"""

# Deny by default. In (to a service with a port; one without admits nothing): the ingress
# controller's namespace (when there is an Ingress), the pods of the callers, and this release's
# test pod. Out: DNS, the services it calls, its cloud
# resources, the model's egress (IP blocks, or pods by namespace and labels) and extraEgress.
NETWORK_POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "svc.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "svc.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "svc.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  {{- if .Values.port }}
  ingress:
    - from:
        {{- if .Values.ingress.enabled }}
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ .Values.networkPolicy.ingressNamespace }}
        {{- end }}
        {{- if .Values.serviceMonitor.enabled }}
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ .Values.serviceMonitor.prometheusNamespace }}
        {{- end }}
        {{- range .Values.networkPolicy.callers }}
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {{ . }}
        {{- end }}
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {{ include "svc.name" . }}-test
              app.kubernetes.io/instance: {{ .Release.Name }}
      ports:
        - port: {{ .Values.protocol }}
          protocol: TCP
  {{- end }}
  egress:
    {{- include "svc.dnsEgress" . | nindent 4 }}
    {{- range .Values.networkPolicy.calls }}
    - to:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {{ .service }}
      ports:
        - port: {{ .port }}
          protocol: TCP
    {{- end }}
    {{- range .Values.networkPolicy.resources }}
    - to:
        - ipBlock:
            cidr: {{ .cidr }}
      ports:
        - port: {{ .port }}
          protocol: TCP
    {{- end }}
    {{- range .Values.egress }}
    - to:
        {{- if .cidr }}
        - ipBlock:
            cidr: {{ .cidr }}
            {{- with .except }}
            except:
              {{- toYaml . | nindent 14 }}
            {{- end }}
        {{- else if .namespace }}
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ .namespace }}
          {{- with .pods }}
          podSelector:
            matchLabels:
              {{- toYaml . | nindent 14 }}
          {{- end }}
        {{- else }}
        - podSelector:
            matchLabels:
              {{- toYaml .pods | nindent 14 }}
        {{- end }}
      {{- $protocol := .protocol }}
      {{- with .ports }}
      ports:
        {{- range . }}
        - port: {{ . }}
          protocol: {{ $protocol }}
        {{- end }}
      {{- end }}
    {{- end }}
    {{- with .Values.networkPolicy.extraEgress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
"""

# Prometheus Operator scrape config; `release` is the label its default selector picks up, and
# the job label is the service's name (what the generated SLO rules select on).
SERVICE_MONITOR = """\
{{- if .Values.serviceMonitor.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "svc.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "svc.labels" . | nindent 4 }}
    release: {{ .Values.serviceMonitor.release }}
spec:
  jobLabel: app.kubernetes.io/name
  selector:
    matchLabels:
      {{- include "svc.selectorLabels" . | nindent 6 }}
  namespaceSelector:
    matchNames:
      - {{ .Release.Namespace }}
  endpoints:
    - port: http
      path: {{ .Values.serviceMonitor.path }}
      interval: {{ .Values.serviceMonitor.interval }}
{{- end }}
"""

# The `helm test` pod checks the service through its Service as a caller would: busybox wget
# of the health path (http), or the grpc health probe of the service's own image (grpc). Its
# probes run the same check, so a service that stops answering mid-test fails it. A service
# without a port has no test: nothing of it can be reached, and `helm upgrade --wait` already
# waits for its pods to pass their health command.
TEST_HOOK = """\
{{- if .Values.port }}
apiVersion: v1
kind: Pod
metadata:
  name: {{ include "svc.fullname" . }}-test
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "svc.testLabels" . | nindent 4 }}
  annotations:
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  enableServiceLinks: false
  securityContext:
    {{- include "svc.podSecurityContext" . | nindent 4 }}
  containers:
    - name: health
      {{- if eq .Values.protocol "grpc" }}
      {{- $image := dict "image" .Values.image "digest" .Values.image.digest }}
      image: {{ include "svc.image" $image | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      {{- else }}
      image: {{ .Values.tests.image | quote }}
      imagePullPolicy: IfNotPresent
      {{- end }}
      command:
        {{- include "svc.testCommand" . | nindent 8 }}
      readinessProbe:
        exec:
          command:
            {{- include "svc.testCommand" . | nindent 12 }}
        periodSeconds: 5
        timeoutSeconds: 5
      livenessProbe:
        exec:
          command:
            {{- include "svc.testCommand" . | nindent 12 }}
        periodSeconds: 10
        timeoutSeconds: 5
      resources:
        requests:
          cpu: 10m
          memory: 16Mi
        limits:
          cpu: 100m
          memory: 32Mi
      securityContext:
        {{- include "svc.containerSecurityContext" . | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: 8Mi
{{- end }}
"""

# The test pod may reach DNS and its service's pods on the service's port, nothing else, and
# is reached by nothing (the service's own policy admits it as a caller).
TEST_NETWORK_POLICY = """\
{{- if .Values.port }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "svc.fullname" . }}-test
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "svc.testLabels" . | nindent 4 }}
  annotations:
    helm.sh/hook: test
    helm.sh/hook-weight: "-1"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: {{ include "svc.name" . }}-test
      app.kubernetes.io/instance: {{ .Release.Name }}
  policyTypes:
    - Ingress
    - Egress
  egress:
    {{- include "svc.dnsEgress" . | nindent 4 }}
    - to:
        - podSelector:
            matchLabels:
              {{- include "svc.selectorLabels" . | nindent 14 }}
      ports:
        - port: {{ .Values.port }}
          protocol: TCP
{{- end }}
"""

NOTES = """\
{{ include "svc.fullname" . }} is installed in namespace {{ .Release.Namespace }}
{{- with .Values.environment.name }} (environment {{ . }}){{ end }},
strategy {{ .Values.strategy }}.
{{- range $d := include "svc.deployments" . | fromJsonArray }}
  Deployment {{ $d.name }}:
    {{ include "svc.image" (dict "image" $.Values.image "digest" $d.digest) }}
{{- end }}
{{- if eq .Values.strategy "blue-green" }}
The Service sends traffic to {{ .Values.blueGreen.active }}. Switch colours with
  --set blueGreen.active={{ if eq .Values.blueGreen.active "blue" }}green{{ else }}blue{{ end }}
{{- else if and (eq .Values.strategy "canary") .Values.canary.digest }}
A canary runs {{ .Values.canary.digest }}. Promote it with
  --set image.digest={{ .Values.canary.digest }} --set canary.digest=
{{- end }}
{{- if .Values.port }}
Check it: helm test {{ .Release.Name }} -n {{ .Release.Namespace }}
{{- else }}
It serves no port: its pods are ready while `{{ join " " .Values.healthCommand }}` succeeds.
{{- end }}
See docs/rollouts.md for promotion and rollback.
"""
