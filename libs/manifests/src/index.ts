export * from './lib/manifest-limits.model';
export * from './lib/manifest.parser';
export * from './lib/manifest.loader';
