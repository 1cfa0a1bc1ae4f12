export * from './container.schema';
export * from './deployment.schema';
export * from './event.schema';
export * from './field-error.model';
export * from './horizontal-pod-autoscaler.schema';
export * from './invalid-manifest.error';
export * from './label-selector.schema';
export * from './name-validation.util';
export * from './namespace.schema';
export * from './node.schema';
export * from './object-meta.schema';
export * from './pod-spec.schema';
export * from './pod.schema';
export * from './quantity.util';
export * from './resource-types.registry';
export * from './resource.validator';
export * from './scale.schema';
export * from './service.schema';
export * from './status.schema';
export {
  CONDITION_STATUSES,
  type ConditionStatus,
  type FieldErrorParams,
  type IntOrString,
} from './schema-kit.util';
