export * from './lib/service-kit.module';
export * from './lib/bootstrap';
