import { parseQuantity } from './quantity';
import type { HorizontalPodAutoscalerBehavior, HpaOptions, HpaScalingPolicy, HpaScalingRules, MetricSpec, ScalingPolicySelect } from './types';

export const DEFAULT_TOLERANCE = 0.1;
export const DEFAULT_CPU_INITIALIZATION_PERIOD_SECONDS = 300;
export const DEFAULT_INITIAL_READINESS_DELAY_SECONDS = 30;
export const DEFAULT_DOWNSCALE_STABILIZATION_WINDOW_SECONDS = 300;
export const DEFAULT_MIN_REPLICAS = 1;

/** What the API server fills in when spec.metrics is empty. */
export const DEFAULT_METRICS: readonly MetricSpec[] = [
  { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
];

/** autoscaling/v2 GenerateHPAScaleUpRules defaults. */
export const DEFAULT_SCALE_UP_POLICIES: readonly HpaScalingPolicy[] = [
  { type: 'Pods', value: 4, periodSeconds: 15 },
  { type: 'Percent', value: 100, periodSeconds: 15 },
];

/** autoscaling/v2 GenerateHPAScaleDownRules defaults. */
export const DEFAULT_SCALE_DOWN_POLICIES: readonly HpaScalingPolicy[] = [{ type: 'Percent', value: 100, periodSeconds: 15 }];

export interface ResolvedSettings {
  tolerance: number;
  cpuInitializationPeriodSeconds: number;
  initialReadinessDelaySeconds: number;
  downscaleStabilizationWindowSeconds: number;
  allowScaleToZero: boolean;
}

export function resolveSettings(options: HpaOptions = {}): ResolvedSettings {
  return {
    tolerance: options.tolerance ?? DEFAULT_TOLERANCE,
    cpuInitializationPeriodSeconds: options.cpuInitializationPeriodSeconds ?? DEFAULT_CPU_INITIALIZATION_PERIOD_SECONDS,
    initialReadinessDelaySeconds: options.initialReadinessDelaySeconds ?? DEFAULT_INITIAL_READINESS_DELAY_SECONDS,
    downscaleStabilizationWindowSeconds: options.downscaleStabilizationWindowSeconds ?? DEFAULT_DOWNSCALE_STABILIZATION_WINDOW_SECONDS,
    allowScaleToZero: options.allowScaleToZero ?? false,
  };
}

export interface ResolvedScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: ScalingPolicySelect;
  policies: readonly HpaScalingPolicy[];
  tolerance: number;
}

export interface ResolvedBehavior {
  scaleUp: ResolvedScalingRules;
  scaleDown: ResolvedScalingRules;
}

function resolveRules(rules: HpaScalingRules | undefined, window: number, policies: readonly HpaScalingPolicy[], tolerance: number): ResolvedScalingRules {
  return {
    stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? window,
    selectPolicy: rules?.selectPolicy ?? 'Max',
    policies: rules?.policies && rules.policies.length > 0 ? rules.policies : policies,
    tolerance: rules?.tolerance === undefined ? tolerance : parseQuantity(rules.tolerance),
  };
}

/**
 * Fills every field the spec leaves out with the Kubernetes default: scale-up has no
 * stabilization and may add max(4 pods, 100%) per 15 s; scale-down waits for the
 * downscale stabilization window (300 s) and may remove 100% per 15 s.
 */
export function resolveBehavior(behavior: HorizontalPodAutoscalerBehavior | undefined, options: HpaOptions = {}): ResolvedBehavior {
  const settings = resolveSettings(options);
  return {
    scaleUp: resolveRules(behavior?.scaleUp, 0, DEFAULT_SCALE_UP_POLICIES, settings.tolerance),
    scaleDown: resolveRules(behavior?.scaleDown, settings.downscaleStabilizationWindowSeconds, DEFAULT_SCALE_DOWN_POLICIES, settings.tolerance),
  };
}
