export { type Clock, type ClockTimer, realClock } from './clock.ts';
export { type RateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, TokenBucketRateLimiter, defaultControllerRateLimiter } from './rate-limiter.ts';
export { type WorkQueueMetrics, type WorkQueueOptions, WorkQueue } from './work-queue.ts';
export { workQueueMetrics } from './metrics.ts';
