{{/*
  The alerts every promfleet controller shares: failing reconciles, no leader, a work queue that
  does not drain: a worker on one key for too long (client-go's longest-running processor), or
  keys waiting while no worker works (no unfinished work). Standbys fill their queues from warm
  caches but never work them, so the waiting keys only count on the leader. Called with
  (dict "context" $ "selector" "PromQL matchers").
*/}}
{{- define "promfleet-hub.controllerAlerts" -}}
{{- $rules := .context.Values.prometheusRule }}
{{- $sel := .selector -}}
- alert: PromfleetReconcileErrors
  expr: sum by (namespace, job, controller) (rate(promfleet_reconcile_total{ {{- $sel -}} ,result="error"}[5m])) > {{ $rules.reconcileErrors.threshold }}
  for: {{ $rules.reconcileErrors.for }}
  labels:
    severity: {{ $rules.reconcileErrors.severity }}
    {{- with $rules.additionalAlertLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    summary: The {{`{{ $labels.controller }}`}} controller of {{`{{ $labels.job }}`}} keeps failing reconciles.
    description: The controller failed {{`{{ $value | humanize }}`}} reconciles per second for {{ $rules.reconcileErrors.for }}; the failing objects are retried with backoff. Their conditions and the controller's "reconcile failed" log lines say why.
    {{- include "promfleet-hub.runbook" (dict "context" .context "alert" "PromfleetReconcileErrors" "indent" 4) }}
{{- if .context.Values.leaderElection.enabled }}
- alert: PromfleetNoLeader
  expr: max by (namespace, job, lease) (promfleet_leader{ {{- $sel -}} }) == 0
  for: {{ $rules.noLeader.for }}
  labels:
    severity: {{ $rules.noLeader.severity }}
    {{- with $rules.additionalAlertLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    summary: No replica of {{`{{ $labels.job }}`}} holds the Lease {{`{{ $labels.lease }}`}}.
    description: Nothing reconciles while no replica leads for {{ $rules.noLeader.for }}. Check the Lease and the replicas' logs.
    {{- include "promfleet-hub.runbook" (dict "context" .context "alert" "PromfleetNoLeader" "indent" 4) }}
{{- end }}
- alert: PromfleetWorkQueueStuck
  expr: |-
    (
      max by (namespace, job, instance, name) (promfleet_workqueue_longest_running_processor_seconds{ {{- $sel -}} }) > {{ $rules.workQueueStuck.longestRunningSeconds }}
    )
    or
    (
      max by (namespace, job, instance, name) (promfleet_workqueue_depth{ {{- $sel -}} }) >= {{ $rules.workQueueStuck.depth }}
      and on (namespace, job, instance, name)
      (max by (namespace, job, instance, name) (promfleet_workqueue_unfinished_work_seconds{ {{- $sel -}} }) == 0)
      {{- if .context.Values.leaderElection.enabled }}
      and on (namespace, job, instance) (max by (namespace, job, instance) (promfleet_leader{ {{- $sel -}} }) == 1)
      {{- end }}
    )
  for: {{ $rules.workQueueStuck.for }}
  labels:
    severity: {{ $rules.workQueueStuck.severity }}
    {{- with $rules.additionalAlertLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    summary: The {{`{{ $labels.name }}`}} work queue of {{`{{ $labels.instance }}`}} is not draining.
    description: For {{ $rules.workQueueStuck.for }}, a worker of the {{`{{ $labels.name }}`}} queue has spent more than {{ $rules.workQueueStuck.longestRunningSeconds }} s on one key (a hung call), or keys have waited in the leader's queue while no worker worked on any.
    {{- include "promfleet-hub.runbook" (dict "context" .context "alert" "PromfleetWorkQueueStuck" "indent" 4) }}
{{- end }}
