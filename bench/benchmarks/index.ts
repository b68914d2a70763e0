import type { Benchmark } from '../harness.ts';
import { cliStartBenchmark } from './cli-start/cli-start.ts';
import { endpointsApiBenchmark } from './endpoints-api/endpoints-api.ts';
import { fanoutBenchmark } from './fanout/fanout.ts';
import { informerMemoryBenchmark } from './informer-memory.ts';
import { memberMemoryBenchmark } from './member-memory/member-memory.ts';
import { hubMemoryBenchmark } from './memory/hub-memory.ts';
import { operatorMemoryBenchmark } from './memory/operator-memory.ts';
import { queueBenchmark } from './queue.ts';
import { rolloutBenchmark } from './rollout/rollout.ts';
import { scaleBenchmark } from './scale/scale.ts';
import { slowWatchersBenchmark } from './slow-watchers/slow-watchers.ts';
import { statusLatencyBenchmark } from './status-latency/status-latency.ts';
import { statusWriteBenchmark } from './status-write/status-write.ts';
import { writeAmplificationBenchmark } from './write-amplification/write-amplification.ts';

export const BENCHMARKS: readonly Benchmark[] = [
  queueBenchmark,
  cliStartBenchmark,
  informerMemoryBenchmark,
  fanoutBenchmark,
  writeAmplificationBenchmark,
  rolloutBenchmark,
  statusLatencyBenchmark,
  endpointsApiBenchmark,
  slowWatchersBenchmark,
  hubMemoryBenchmark,
  operatorMemoryBenchmark,
  scaleBenchmark,
  statusWriteBenchmark,
  memberMemoryBenchmark,
];
