import type { Benchmark } from '../harness.ts';
import { informerMemoryBenchmark } from './informer-memory.ts';
import { queueBenchmark } from './queue.ts';

export const BENCHMARKS: readonly Benchmark[] = [queueBenchmark, informerMemoryBenchmark];
