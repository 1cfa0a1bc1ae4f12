export * from './advisory-lease';
