// Caches controllers read from: list+watch informers, one per namespace or cluster-wide, and polled objects.
export * from './store.ts';
export * from './shared-informer.ts';
export * from './informer.ts';
export * from './multi-namespace-informer.ts';
export * from './polled-objects.ts';
export { Backoff } from '../util/backoff.ts';
