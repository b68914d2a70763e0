/** Condition types and reasons of a PrometheusReplica, as users and the hub read them. */
export const CONDITIONS = {
  ready: 'Ready',
  reconciled: 'Reconciled',
  configValid: 'ConfigValid',
  bucketSecretValid: 'BucketSecretValid',
  persistentStorage: 'PersistentStorage',
  /** Only while Grafana is enabled. */
  grafanaAdminSecretValid: 'GrafanaAdminSecretValid',
  rulesValid: 'RulesValid',
  configApplied: 'ConfigApplied',
  storageUpToDate: 'StorageUpToDate',
  compactorReady: 'CompactorReady',
} as const;

export const REASONS = {
  allTiersReady: 'AllTiersReady',
  tiersNotReady: 'TiersNotReady',
  waitingForInput: 'WaitingForValidInput',
  reconcileSucceeded: 'ReconcileSucceeded',
  reconcileFailed: 'ReconcileFailed',
  specInvalid: 'SpecInvalid',
  paused: 'Paused',
  valid: 'Valid',
  emptyDir: 'EmptyDir',
  persistentVolumeClaim: 'PersistentVolumeClaim',
  /** On ConfigValid: an image outside the operator's --allowed-image-prefixes. */
  imageNotAllowed: 'ImageNotAllowed',
  secretNotFound: 'SecretNotFound',
  claimsMatchSpec: 'ClaimsMatchSpec',
  resizing: 'Resizing',
  expansionRefused: 'ExpansionRefused',
  shrinkNotSupported: 'ShrinkNotSupported',
  storageClassDiffers: 'StorageClassDiffers',
  compactorRunning: 'CompactorRunning',
  compactorNotReady: 'CompactorNotReady',
} as const;
