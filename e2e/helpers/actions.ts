import { Pods, ResourceClient, type KubeClient } from '@promfleet/kube/client';
import { UNREADY_ANNOTATION } from '@promfleet/testkit';

import { MEMBER_NAMESPACE } from './promfleet-fleet.ts';

/** Makes the first Prometheus pod of a replica unready (or ready again) through the fake kubelet. */
export async function setPrometheusReady(member: KubeClient, replica: string, ready: boolean): Promise<void> {
  await new ResourceClient(member, Pods).patch(`${replica}-prometheus-0`, MEMBER_NAMESPACE, {
    metadata: { annotations: { [UNREADY_ANNOTATION]: ready ? null : 'true' } },
  });
}

/** When a member's API server first fails to answer, polling every 100 ms from now on. */
export async function firstUnanswered(member: KubeClient): Promise<number> {
  for (;;) {
    try {
      await member.request({ verb: 'get', method: 'GET', path: '/version', timeoutMs: 500 });
    } catch {
      return Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
