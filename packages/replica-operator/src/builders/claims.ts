import type { IPersistentVolumeClaim } from 'kubernetes-models/v1';

/** The `data` claim template of a StatefulSet, or none: its pods then mount an emptyDir named `data`. */
export function dataClaims(
  storage: { readonly size: string | number; readonly storageClassName?: string | undefined } | undefined,
  labels: Record<string, string>,
): IPersistentVolumeClaim[] {
  if (!storage) return [];
  return [
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', labels },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: storage.size } },
        ...(storage.storageClassName ? { storageClassName: storage.storageClassName } : {}),
      },
    },
  ];
}
