export * from './metrics-query';
