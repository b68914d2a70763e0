// The hub's endpoint stores and API, for serving them in-process under load. @promfleet/hub does
// not export them (yet): once it does, these become imports from '@promfleet/hub'.
export { registerEndpointsApi } from '../../packages/hub/src/endpoints/api.ts';
export { MemoryEndpointStore } from '../../packages/hub/src/endpoints/memory-store.ts';
export { RedisEndpointStore } from '../../packages/hub/src/endpoints/redis-store.ts';
export type { EndpointSet, EndpointStore } from '../../packages/hub/src/endpoints/store.ts';
