export * from './envelope';
export * from './catalogue';
export * from './event-validation';
