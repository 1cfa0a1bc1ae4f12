export * from './lib/events';
export * from './lib/subjects';
export * from './lib/resources';
