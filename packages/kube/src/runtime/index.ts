// The process: its program shell, leader election, and the Manager that runs caches and controllers.
export * from './program.ts';
export * from './manager.ts';
export * from './shutdown.ts';
export * from '../leader/leader-elector.ts';
export * from '../leader/lease-timing.ts';
