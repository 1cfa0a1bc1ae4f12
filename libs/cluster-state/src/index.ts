export * from './lib/cluster-state.model';
export * from './lib/cluster-state.reducer';
export * from './lib/cluster-state.queries';
export * from './lib/deployment-spec';
export * from './lib/template-hash';
export * from './lib/event-sequence';
export * from './lib/service-state';
export * from './lib/service-endpoints';
