// What a controller reports: conditions, Events on their transitions, finalizers.
export * from './conditions.ts';
export * from './events.ts';
export * from './finalizers.ts';
export * from './transition-events.ts';
