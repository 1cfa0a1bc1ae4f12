export * from './lib/events';
export * from './lib/subjects';
export * from './lib/resources';
export * from './lib/node-protocol';
export * from './lib/metrics';
