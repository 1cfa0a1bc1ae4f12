export * from './backup.errors';
export * from './backup-format';
export * from './log-export';
export * from './log-import';
export * from './log-history';
