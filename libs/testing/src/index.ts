export * from './lib/test-database';
export * from './lib/nats-server';
export * from './lib/service-process';
export * from './lib/test-cluster';
export * from './lib/log-state';
