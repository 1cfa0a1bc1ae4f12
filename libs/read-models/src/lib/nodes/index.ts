export * from './node-view.model';
export * from './node.entity';
export * from './nodes.projection';
export * from './nodes.read-model';
