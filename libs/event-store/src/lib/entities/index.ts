export * from './event-record.entity';
export * from './checkpoint.entity';
