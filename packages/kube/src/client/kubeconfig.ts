import { KubeConfig } from '@kubernetes/client-node';

export interface KubeConfigSource {
  /** A kubeconfig file; absent → KUBECONFIG, ~/.kube/config, or the in-cluster service account. */
  readonly file?: string | undefined;
  /** A kubeconfig's YAML or JSON text (from a Secret). */
  readonly text?: string;
  /** Context to use instead of the current one. */
  readonly context?: string | undefined;
}

/** Loads a kubeconfig the way kubectl finds one, with an optional context override. */
export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const kc = new KubeConfig();
  if (source.text !== undefined) kc.loadFromString(source.text);
  else if (source.file) kc.loadFromFile(source.file);
  else kc.loadFromDefault();
  if (source.context) {
    if (!kc.getContextObject(source.context)) throw new Error(`kubeconfig has no context ${JSON.stringify(source.context)}`);
    kc.setCurrentContext(source.context);
  }
  if (!kc.getCurrentCluster()) throw new Error('kubeconfig has no current context with a cluster');
  return kc;
}
