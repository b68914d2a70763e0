export * from './names.ts';
export * from './images.ts';
export * from './config/prometheus-config.ts';
export * from './config/objstore.ts';
export * from './builders/context.ts';
export * from './builders/children.ts';
export * from './builders/ingress.ts';
