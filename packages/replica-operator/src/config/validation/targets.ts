import { DISCOVERY, HTTP_CLIENT, NESTED_HTTP, STATIC_CONFIG } from './keys.ts';
import { isAbsent, isRecord, list, mapping, stringMap, unknownKeys } from './shape.ts';

/**
 * What scrape and Alertmanager configs share: prometheus/common's HTTP client fields, service
 * discovery lists and static targets, checked as Prometheus v3.5 does when it loads them.
 */
export function httpClientProblems(block: Record<string, unknown>, path: string): string[] {
  const problems: string[] = [];
  for (const [key, known] of Object.entries(NESTED_HTTP)) {
    const nested = mapping(block[key], `${path}.${key}`, problems);
    if (!nested) continue;
    problems.push(...unknownKeys(nested, known, `${path}.${key}`));
    const tls = key === 'oauth2' ? mapping(nested.tls_config, `${path}.oauth2.tls_config`, problems) : undefined;
    if (tls) problems.push(...unknownKeys(tls, NESTED_HTTP.tls_config ?? [], `${path}.oauth2.tls_config`));
  }
  const present = (key: string) => !isAbsent(block[key]);
  const auth = [present('basic_auth'), present('oauth2'), present('bearer_token') || present('bearer_token_file'), present('authorization')].filter(
    Boolean,
  ).length;
  if (auth > 1) problems.push(`${path}: at most one of basic_auth, oauth2, bearer_token & bearer_token_file, authorization may be set`);
  if (present('bearer_token') && present('bearer_token_file')) problems.push(`${path}: at most one of bearer_token and bearer_token_file may be set`);
  return problems;
}

/** Service discovery lists must be lists; static targets must be addresses, not URLs (unless relabelling rewrites them). */
export function discoveryProblems(block: Record<string, unknown>, path: string): string[] {
  const problems: string[] = [];
  for (const key of DISCOVERY) {
    const entries = list(block[key], `${path}.${key}`, problems);
    if (key !== 'static_configs') continue;
    const relabelled = Array.isArray(block.relabel_configs) && block.relabel_configs.length > 0;
    for (const [i, group] of entries.entries()) {
      const at = `${path}.static_configs[${String(i)}]`;
      if (!isRecord(group)) {
        problems.push(`${at}: must be a mapping with targets and labels`);
        continue;
      }
      problems.push(...unknownKeys(group, STATIC_CONFIG, at));
      stringMap(group.labels, `${at}.labels`, problems);
      for (const [j, target] of list(group.targets, `${at}.targets`, problems).entries()) {
        if (typeof target !== 'string') problems.push(`${at}.targets[${String(j)}]: must be a string host:port`);
        // Prometheus' CheckTargetAddress: a "/" means a URL was written where an address belongs.
        else if (!relabelled && target.includes('/'))
          problems.push(
            `${at}.targets[${String(j)}]: ${JSON.stringify(target)} is not a valid hostname: write host:port (the scheme goes in scheme, the path in metrics_path)`,
          );
      }
    }
  }
  return problems;
}

export const HTTP_AND_DISCOVERY_KEYS = [...HTTP_CLIENT, ...DISCOVERY];
