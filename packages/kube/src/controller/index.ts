// Reconcile loops and their shared shapes: a status update with its transition Events, a finalizer with a bounded wait.
export * from './controller.ts';
export * from './predicates.ts';
export * from './status-update.ts';
export * from './finalizer.ts';
