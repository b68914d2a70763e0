// What a process exposes about itself: metrics, logs, and the HTTP server for /metrics, /healthz, /readyz.
export * from './metrics.ts';
export * from './logger.ts';
export * from './http-server.ts';
export * from './tls-files.ts';
