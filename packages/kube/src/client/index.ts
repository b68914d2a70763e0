// Talking to API servers: objects, resource types, requests, watches, discovery, access reviews.
export * from './objects.ts';
export * from './errors.ts';
export * from './resource-types.ts';
export * from './kube-client.ts';
export * from './resource-client.ts';
export * from './watch.ts';
export * from './discovery.ts';
export * from '../auth/access-review.ts';
