export * from './lib/read-model';
export * from './lib/nodes';
export * from './lib/metrics';
export * from './lib/lease';
export * from './lib/read-models';
export * from './lib/read-models.runner';
export * from './lib/read-models.module';
