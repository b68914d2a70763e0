import { Informer } from '@promfleet/kube/cache';
import { ConfigMaps, KubeClient, ResourceClient } from '@promfleet/kube/client';
import { startFleet } from '@promfleet/testkit';
import pLimit from 'p-limit';

import { heapUsed, round, type Benchmark } from '../harness.ts';

const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

export const informerMemoryBenchmark: Benchmark = {
  name: 'informer-memory',
  description: 'informer cache memory per object, against the JSON the API server sends',
  async run({ smoke, log }) {
    const count = smoke ? 200 : 10_000;
    await using fleet = await startFleet({ clusters: ['bench'] });
    const client = new KubeClient(fleet.cluster('bench').kubeConfig, { cluster: 'bench' });
    const configMaps = new ResourceClient(client, ConfigMaps);
    const limit = pLimit(32);
    log(`creating ${String(count)} ConfigMaps`);
    const labels = {
      'app.kubernetes.io/name': 'prometheus',
      'app.kubernetes.io/instance': 'bench',
      'app.kubernetes.io/managed-by': 'promfleet-replica-operator',
    };
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        limit(() =>
          configMaps.create({
            metadata: { name: `cm-${String(i)}`, namespace: 'default', labels },
            data: { 'prometheus.yml': `scrape_configs:\n  - job_name: job-${String(i)}\n` },
          }),
        ),
      ),
    );
    const jsonBytes = Buffer.byteLength(JSON.stringify((await configMaps.listAll({ namespace: 'default' })).items));

    // Let the creation's sockets and buffers go before the baseline.
    await settle();
    const before = heapUsed();
    const informer = new Informer(configMaps, { namespace: 'default' });
    informer.start();
    await informer.waitForSync();
    await settle();
    const after = heapUsed();
    const size = informer.list().length;
    await informer.stop();
    await client.close();
    const perObject = (after - before) / size;
    return [
      {
        title: `Informer memory (${String(size)} ConfigMaps, managedFields dropped, three indexes)`,
        columns: ['objects', 'heap / object (B)', 'JSON / object (B)', 'heap / JSON', 'heap per 10k (MiB)'],
        rows: [
          {
            objects: size,
            'heap / object (B)': Math.round(perObject),
            'JSON / object (B)': Math.round(jsonBytes / size),
            'heap / JSON': round(perObject / (jsonBytes / size), 2),
            'heap per 10k (MiB)': round((perObject * 10_000) / 2 ** 20, 1),
          },
        ],
      },
    ];
  },
};
