{{/* The chart's name, overridable. */}}
{{- define "promfleet-replica-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of every object: the release name when it already says the chart name, else release-chart. */}}
{{- define "promfleet-replica-operator.fullname" -}}
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

{{- define "promfleet-replica-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "promfleet-replica-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "promfleet-replica-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "promfleet-replica-operator.labels" -}}
helm.sh/chart: {{ include "promfleet-replica-operator.chart" . }}
{{ include "promfleet-replica-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: controller
app.kubernetes.io/part-of: promfleet
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "promfleet-replica-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "promfleet-replica-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Where the Lease lives: a Role there lets the operator use it. */}}
{{- define "promfleet-replica-operator.leaseNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace }}
{{- end }}

{{/* repository@digest when a digest is given, else repository:tag (tag defaults to appVersion). */}}
{{- define "promfleet-replica-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* PromQL label matchers of this release's metrics: the ServiceMonitor's job is the Service's name. */}}
{{- define "promfleet-replica-operator.metricSelector" -}}
{{- default (printf "namespace=%q,job=%q" .Release.Namespace (include "promfleet-replica-operator.fullname" .)) .Values.prometheusRule.selector }}
{{- end }}

{{/* An alert's runbook_url annotation on a new line indented by .indent, when runbookBaseURL is set. */}}
{{- define "promfleet-replica-operator.runbook" -}}
{{- with .context.Values.prometheusRule.runbookBaseURL }}
{{- printf "runbook_url: %s#%s" . (lower $.alert) | nindent $.indent }}
{{- end }}
{{- end }}
