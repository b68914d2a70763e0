// What tests of controllers need and production code must not: a clock moved by hand, and request counts.
export { FakeClock } from './fake-clock.ts';
export { requestCount, WRITE_VERBS } from './request-count.ts';
