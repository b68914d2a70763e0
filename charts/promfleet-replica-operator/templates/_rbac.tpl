{{/*
  Exactly OPERATOR_RULES and OPERATOR_LEASE_RULES of packages/replica-operator/src/rbac.ts: a
  chart test compares the rendered rules with them.
*/}}
{{- define "promfleet-replica-operator.rules" -}}
- apiGroups: [promfleet.io]
  resources: [prometheusreplicas]
  verbs: [get, list, watch]
- apiGroups: [promfleet.io]
  resources: [prometheusreplicas/status]
  verbs: [get, patch, update]
- apiGroups: [apps]
  resources: [statefulsets, deployments]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [""]
  resources: [services, configmaps, serviceaccounts]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [networking.k8s.io]
  resources: [ingresses, networkpolicies]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles, rolebindings]
  verbs: [get, list, watch, create, update, patch, delete]
# Secrets by name only: never listed or watched, never changed after creation.
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, create]
# Pods for status; a pod adopted without the claims its StatefulSet now has is deleted to get them.
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch, delete]
# Claims of its StatefulSets are expanded in place when spec.storage grows.
- apiGroups: [""]
  resources: [persistentvolumeclaims]
  verbs: [get, list, watch, patch]
# ConfigApplied: each Prometheus pod is asked, through the API server, which config it loaded.
- apiGroups: [""]
  resources: [pods/proxy]
  verbs: [get]
# What Prometheus's discovery Role grants; the operator may grant only what it holds.
- apiGroups: [""]
  resources: [endpoints]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
{{- end }}

{{- define "promfleet-replica-operator.leaseRules" -}}
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, create, update]
{{- end }}
