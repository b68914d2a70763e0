import { SCRAPE } from './keys.ts';
import { relabelProblems } from './relabel.ts';
import { duration, isRecord, list, unknownKeys } from './shape.ts';
import { discoveryProblems, httpClientProblems } from './targets.ts';

/** The global scrape settings each scrape config falls back to, in milliseconds. */
export interface ScrapeDefaults {
  readonly interval: number;
  /** How the global interval was written (or Prometheus' default), for messages. */
  readonly intervalText: string;
}

/** Problems of `scrape_configs`, as Prometheus v3.5's ScrapeConfig unmarshalling and Validate() find them. */
export function scrapeConfigProblems(value: unknown, defaults: ScrapeDefaults): string[] {
  const problems: string[] = [];
  const jobs = new Set<string>();
  for (const [i, scrape] of list(value, 'scrape_configs', problems).entries()) {
    const at = `scrape_configs[${String(i)}]`;
    if (!isRecord(scrape)) {
      problems.push(`${at}: must be a mapping`);
      continue;
    }
    problems.push(...unknownKeys(scrape, SCRAPE, at));
    const job = scrape.job_name;
    if (typeof job !== 'string' || job === '') problems.push(`${at}.job_name: is required`);
    else if (jobs.has(job)) problems.push(`${at}.job_name: ${JSON.stringify(job)} is used twice`);
    else jobs.add(job);
    // 0 means unset to Prometheus too.
    const interval = duration(scrape.scrape_interval, `${at}.scrape_interval`, problems) || defaults.interval; // eslint-disable-line @typescript-eslint/prefer-nullish-coalescing
    const timeout = duration(scrape.scrape_timeout, `${at}.scrape_timeout`, problems);
    // Prometheus: an explicit timeout may not exceed the interval (the job's, else the global one);
    // an inherited global timeout is shortened to the interval instead.
    if (timeout !== undefined && timeout > interval)
      problems.push(
        `${at}.scrape_timeout: ${String(scrape.scrape_timeout)} is greater than the scrape interval (${typeof scrape.scrape_interval === 'string' ? scrape.scrape_interval : `global.scrape_interval ${defaults.intervalText}`})`,
      );
    problems.push(
      ...httpClientProblems(scrape, at),
      ...discoveryProblems(scrape, at),
      ...relabelProblems(scrape.relabel_configs, `${at}.relabel_configs`),
      ...relabelProblems(scrape.metric_relabel_configs, `${at}.metric_relabel_configs`),
    );
  }
  return problems;
}
