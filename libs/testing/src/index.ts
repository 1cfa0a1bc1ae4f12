export * from './lib/test-database';
export * from './lib/nats-server';
export * from './lib/service-process';
export * from './lib/test-cluster';
export * from './lib/log-state';
export * from './lib/log-audit';
export * from './lib/relay-audit';
export * from './lib/private-postgres';
