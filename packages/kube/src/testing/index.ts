// What tests of controllers need and production code must not: a clock moved by hand, request counts, open connections.
export { FakeClock } from './fake-clock.ts';
export { requestCount, WRITE_VERBS } from './request-count.ts';
export { establishedConnections } from './connections.ts';
