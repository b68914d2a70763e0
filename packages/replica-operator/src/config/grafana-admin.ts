import { createHash } from 'node:crypto';

/** The keys of a Grafana admin Secret, as Grafana's `GF_SECURITY_ADMIN_*__FILE` variables read them. */
export const GRAFANA_ADMIN_KEYS = { user: 'admin-user', password: 'admin-password' } as const;

export type GrafanaAdminCheck =
  { readonly ok: true; readonly hash: string } | { readonly ok: false; readonly reason: 'SecretKeyMissing'; readonly message: string };

/**
 * Checks a Grafana admin Secret: both keys present and not empty, so Grafana never falls back to
 * its default admin/admin. Keeps a hash of the values (a change rolls Grafana), never the values.
 */
export function checkGrafanaAdmin(data: Readonly<Record<string, string>> | undefined, secretName: string): GrafanaAdminCheck {
  const missing = Object.values(GRAFANA_ADMIN_KEYS).filter((key) => !data?.[key]);
  if (missing.length > 0) return { ok: false, reason: 'SecretKeyMissing', message: `Secret ${secretName} has no ${missing.join(' or ')} (or it is empty)` };
  const hash = createHash('sha256');
  for (const key of Object.values(GRAFANA_ADMIN_KEYS)) hash.update(`${key}\0${data?.[key] ?? ''}\0`);
  return { ok: true, hash: hash.digest('hex').slice(0, 16) };
}
