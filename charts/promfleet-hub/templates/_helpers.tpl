{{/* The chart's name, overridable. */}}
{{- define "promfleet-hub.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of every object: the release name when it already says promfleet-hub, else release-chart. */}}
{{- define "promfleet-hub.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "promfleet-hub.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "promfleet-hub.selectorLabels" -}}
app.kubernetes.io/name: {{ include "promfleet-hub.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "promfleet-hub.labels" -}}
helm.sh/chart: {{ include "promfleet-hub.chart" . }}
{{ include "promfleet-hub.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: controller
app.kubernetes.io/part-of: promfleet
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "promfleet-hub.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "promfleet-hub.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The hub's own namespace: member credential Secrets and the leader Lease live here. */}}
{{- define "promfleet-hub.namespace" -}}
{{- default .Release.Namespace .Values.hubNamespace }}
{{- end }}

{{/* repository@digest when a digest is given, else repository:tag (tag defaults to appVersion). */}}
{{- define "promfleet-hub.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Where the endpoints API token Secret is mounted. */}}
{{- define "promfleet-hub.apiTokenDir" -}}
/etc/promfleet/api-token
{{- end }}

{{/* PromQL label matchers of this release's metrics: the ServiceMonitor's job is the Service's name. */}}
{{- define "promfleet-hub.metricSelector" -}}
{{- default (printf "namespace=%q,job=%q" .Release.Namespace (include "promfleet-hub.fullname" .)) .Values.prometheusRule.selector }}
{{- end }}

{{/* An alert's runbook_url annotation on a new line indented by .indent, when runbookBaseURL is set. */}}
{{- define "promfleet-hub.runbook" -}}
{{- with .context.Values.prometheusRule.runbookBaseURL }}
{{- printf "runbook_url: %s#%s" . (lower $.alert) | nindent $.indent }}
{{- end }}
{{- end }}

{{/* The API-only Deployment's pods: a selector of their own, so the hub Deployment's never matches them. */}}
{{- define "promfleet-hub.apiSelectorLabels" -}}
app.kubernetes.io/name: {{ include "promfleet-hub.name" . }}-api
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* PROMFLEET_REDIS_URL from a Secret, when the URL is kept in one. */}}
{{- define "promfleet-hub.redisEnv" -}}
{{- with .Values.redis.existingSecret.name }}
- name: PROMFLEET_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.redis.existingSecret.key }}
{{- end }}
{{- end }}

{{/* The API token Secret as a whole-Secret volume (no subPath), so a rotated token reaches running pods. */}}
{{- define "promfleet-hub.apiTokenVolume" -}}
{{- with .Values.apiToken.existingSecret }}
- name: api-token
  secret:
    secretName: {{ . }}
    defaultMode: 0440
    items:
      - key: {{ $.Values.apiToken.key }}
        path: token
{{- end }}
{{- end }}

{{- define "promfleet-hub.apiTokenMount" -}}
{{- if .Values.apiToken.existingSecret }}
- name: api-token
  mountPath: {{ include "promfleet-hub.apiTokenDir" . }}
  readOnly: true
{{- end }}
{{- end }}

{{/* Where the TLS Secret is mounted. */}}
{{- define "promfleet-hub.tlsDir" -}}
/etc/promfleet/tls
{{- end }}

{{/* The container port's name and the probes' scheme: https with a TLS Secret, else http. */}}
{{- define "promfleet-hub.portName" -}}
{{- if .Values.tls.existingSecret }}https{{ else }}http{{ end }}
{{- end }}

{{- define "promfleet-hub.probeScheme" -}}
{{- if .Values.tls.existingSecret }}HTTPS{{ else }}HTTP{{ end }}
{{- end }}

{{/* Flags of the endpoints API, the same for the hub and the API-only replicas. */}}
{{- define "promfleet-hub.apiArgs" -}}
{{- if .Values.apiToken.existingSecret }}
- --api-token-file={{ include "promfleet-hub.apiTokenDir" . }}/token
{{- end }}
- --api-watch-buffer={{ .Values.endpointsApi.watchBuffer }}
- --api-max-watchers={{ .Values.endpointsApi.maxWatchers }}
{{- if .Values.tls.existingSecret }}
- --tls-cert-file={{ include "promfleet-hub.tlsDir" . }}/tls.crt
- --tls-key-file={{ include "promfleet-hub.tlsDir" . }}/tls.key
{{- end }}
{{- end }}

{{/* The TLS Secret as a whole-Secret volume (no subPath), so a renewed certificate reaches running pods. */}}
{{- define "promfleet-hub.tlsVolume" -}}
{{- with .Values.tls.existingSecret }}
- name: tls
  secret:
    secretName: {{ . }}
    defaultMode: 0440
    items:
      - key: tls.crt
        path: tls.crt
      - key: tls.key
        path: tls.key
{{- end }}
{{- end }}

{{- define "promfleet-hub.tlsMount" -}}
{{- if .Values.tls.existingSecret }}
- name: tls
  mountPath: {{ include "promfleet-hub.tlsDir" . }}
  readOnly: true
{{- end }}
{{- end }}

{{/* The global Thanos Query's pods: a name of their own, so no selector of the hub's claims them. */}}
{{- define "promfleet-hub.globalQuerySelectorLabels" -}}
app.kubernetes.io/name: {{ include "promfleet-hub.name" . }}-global-query
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "promfleet-hub.storeGatewaySelectorLabels" -}}
app.kubernetes.io/name: {{ include "promfleet-hub.name" . }}-store-gateway
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
