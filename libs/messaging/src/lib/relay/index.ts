export * from './event-message';
export * from './event-relay';
