import { validate, type MemberCluster, type PrometheusCluster } from '@promfleet/api';
import { appliedHash } from '@promfleet/kube/apply';
import { benchCluster } from './bench/lib/objects.ts';
import { revisionDataOf } from './packages/hub/src/rollout/revisions.ts';
import { templateFor, templateProblem } from './packages/hub/src/rollout/member-spec.ts';
import { desiredReplica } from './packages/hub/src/fanout/desired-replica.ts';

const raw = benchCluster('t');
const parsed = validate('PrometheusCluster', { ...raw, metadata: { ...raw.metadata, uid: 'u', generation: 1 } });
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const cluster = parsed.value as PrometheusCluster;
const data = revisionDataOf(cluster.spec);
const members = Array.from({ length: 1000 }, (_, i) => ({ metadata: { name: `m${i}`, labels: { a: 'b' } }, spec: { namespace: `ns${i}` } }) as unknown as MemberCluster);
function time(label: string, f: (m: MemberCluster) => unknown) {
  for (const m of members.slice(0, 200)) f(m);
  const t = performance.now();
  for (const m of members) f(m);
  console.log(label, ((performance.now() - t) / members.length).toFixed(3), 'ms per member');
}
time('templateFor+problem', (m) => templateProblem(templateFor(data, m)));
time('desiredReplica', (m) => { const t = templateFor(data, m); if (!t.ok) throw new Error(); return desiredReplica(cluster, m, { template: t.template, revision: 'r', since: 'x', sourceGeneration: 1 }); });
const d = desiredReplica(cluster, members[0]!, undefined);
time('appliedHash', () => appliedHash(d, 'h'));
console.log('replica JSON bytes', JSON.stringify(d).length);
