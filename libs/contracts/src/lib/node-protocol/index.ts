export * from './node-protocol';
