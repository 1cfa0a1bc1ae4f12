export * from './lib/nats-connection';
export * from './lib/relay';
export * from './lib/messaging.module';
export * from './lib/control-plane.module';
