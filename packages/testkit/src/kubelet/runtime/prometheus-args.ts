import type { Mount } from './volumes.ts';
import { hostPathOf } from './volumes.ts';

/**
 * The flags the operator gives Prometheus, as the stand-in passes them to Debian's Prometheus
 * 2.42 (the pinned image is v3.5). Each flag the operator may use is listed with what is done
 * to it; any other flag fails the container, so a new one is looked at (and documented) before
 * a test relies on it.
 */
const PATH_FLAGS = new Set(['--storage.tsdb.path']);
const AS_IS = new Set([
  '--storage.tsdb.retention.time',
  '--storage.tsdb.retention.size',
  // Hidden in both 2.42 and 3.5, and taken the same way.
  '--storage.tsdb.min-block-duration',
  '--storage.tsdb.max-block-duration',
  '--web.enable-lifecycle',
  '--web.enable-admin-api',
  '--log.level',
  '--log.format',
]);
/**
 * Prometheus 3 expands `$VAR` in external labels always; 2.42 only with this feature flag. A
 * Prometheus 3 binary would merely warn about the unknown feature.
 */
export const EXPAND_EXTERNAL_LABELS = '--enable-feature=expand-external-labels';

export interface StandInArgs {
  readonly args: string[];
  /** The container path of the config file the operator asked for. */
  readonly configFile: string;
}

/**
 * Translates the container's args: container paths become the directories standing for them,
 * the config file becomes the rendered copy (`renderedConfig`), the listen address a loopback
 * port of this machine.
 */
export function standInArgs(args: readonly string[], options: { mounts: readonly Mount[]; renderedConfig: string; port: number }): StandInArgs {
  const out: string[] = [];
  let configFile: string | undefined;
  for (const arg of args) {
    const [flag = '', ...rest] = arg.split('=');
    const value = rest.join('=');
    if (flag === '--config.file') {
      configFile = value;
      out.push(`--config.file=${options.renderedConfig}`);
    } else if (flag === '--web.listen-address') {
      out.push(`--web.listen-address=127.0.0.1:${String(options.port)}`);
    } else if (PATH_FLAGS.has(flag)) {
      const host = hostPathOf(options.mounts, value);
      if (host === undefined) throw new Error(`${flag}=${value} is on no volume of the container`);
      out.push(`${flag}=${host}`);
    } else if (AS_IS.has(flag)) {
      out.push(arg);
    } else {
      throw new Error(
        `the testkit's Prometheus stand-in does not know ${flag}: add it to kubelet/runtime/prometheus-args.ts with how Prometheus 2.42 takes it`,
      );
    }
  }
  if (configFile === undefined) throw new Error('the container has no --config.file');
  return { args: [...out, EXPAND_EXTERNAL_LABELS], configFile };
}
