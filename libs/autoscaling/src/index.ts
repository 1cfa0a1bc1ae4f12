export { computeReplicas } from './lib/compute-replicas';
export { validateHpaSpec } from './lib/hpa-spec.validator';
export {
  DEFAULT_CPU_INITIALIZATION_PERIOD_SECONDS,
  DEFAULT_DOWNSCALE_STABILIZATION_WINDOW_SECONDS,
  DEFAULT_INITIAL_READINESS_DELAY_SECONDS,
  DEFAULT_METRICS,
  DEFAULT_SCALE_DOWN_POLICIES,
  DEFAULT_SCALE_UP_POLICIES,
  DEFAULT_TOLERANCE,
  resolveBehavior,
} from './lib/hpa-defaults';
export type { ResolvedBehavior, ResolvedScalingRules } from './lib/hpa-defaults';
export { parseQuantity } from './lib/quantity';
export { InvalidHpaInput, InvalidHpaSpec, InvalidQuantity } from './lib/autoscaling.errors';
export type { FieldError } from './lib/autoscaling.errors';
export type * from './lib/types';
