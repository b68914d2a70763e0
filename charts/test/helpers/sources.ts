// What the charts must agree with, from the controllers' own sources. The replica operator's
// index does not export its rules and flags, so they are imported by path (one place to switch
// once it does).
export { HUB_CLUSTER_RULES, HUB_FLAGS, HUB_NAMESPACE_RULES, hubMetrics } from '@promfleet/hub';
export { OPERATOR_FLAGS, OPERATOR_LEASE_RULES, OPERATOR_RULES } from '@promfleet/replica-operator';
export { DEFAULT_ALLOWED_IMAGE_PREFIXES } from '@promfleet/api';
