// Stabilization windows and scaling policies: horizontal.go's stabilizeRecommendationWithBehaviors
// and convertDesiredReplicasWithBehaviorRate, over caller-supplied history instead of controller memory.
import type { ResolvedBehavior, ResolvedScalingRules } from './hpa-defaults';
import type { ScaleEvent, ScalingLimitedReason, StabilizationReason, TimestampedRecommendation } from './types';

export interface StabilizationResult {
  replicas: number;
  /** Set when the window changed the recommendation. */
  reason?: StabilizationReason;
  message: string;
  recommendation: TimestampedRecommendation;
  /** History still inside a window, plus `recommendation`. */
  recommendations: TimestampedRecommendation[];
}

/**
 * Keeps the recommendation between the lowest one of the scale-up window and the highest one
 * of the scale-down window (both including the new, unstabilized recommendation).
 */
export function stabilizeRecommendation(args: {
  currentReplicas: number;
  desiredReplicas: number;
  recommendations: readonly TimestampedRecommendation[];
  behavior: ResolvedBehavior;
  now: number;
}): StabilizationResult {
  const { currentReplicas, desiredReplicas, now } = args;
  const upCutoff = now - args.behavior.scaleUp.stabilizationWindowSeconds * 1000;
  const downCutoff = now - args.behavior.scaleDown.stabilizationWindowSeconds * 1000;

  let upRecommendation = desiredReplicas;
  let downRecommendation = desiredReplicas;
  for (const rec of args.recommendations) {
    if (rec.timestamp > upCutoff) upRecommendation = Math.min(rec.replicas, upRecommendation);
    if (rec.timestamp > downCutoff) downRecommendation = Math.max(rec.replicas, downRecommendation);
  }

  let replicas = currentReplicas;
  if (replicas < upRecommendation) replicas = upRecommendation;
  if (replicas > downRecommendation) replicas = downRecommendation;

  const recommendation = { timestamp: now, replicas: desiredReplicas };
  // Entries outside both windows can never count again (time only moves forward).
  const oldest = Math.min(upCutoff, downCutoff);
  const recommendations = [...args.recommendations.filter((rec) => rec.timestamp > oldest), recommendation];

  if (replicas === desiredReplicas) {
    return { replicas, message: 'recommended size matches current size', recommendation, recommendations };
  }
  return desiredReplicas >= currentReplicas
    ? {
        replicas,
        reason: 'ScaleUpStabilized',
        message: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
        recommendation,
        recommendations,
      }
    : {
        replicas,
        reason: 'ScaleDownStabilized',
        message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
        recommendation,
        recommendations,
      };
}

function replicasChangedWithin(periodSeconds: number, events: readonly ScaleEvent[], direction: 1 | -1, now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let replicas = 0;
  for (const event of events) {
    if (Math.sign(event.replicaChange) === direction && event.timestamp > cutoff) replicas += Math.abs(event.replicaChange);
  }
  return replicas;
}

/** Highest replica count the scale-up policies allow now (calculateScaleUpLimitWithScalingRules). */
export function calculateScaleUpLimit(currentReplicas: number, events: readonly ScaleEvent[], rules: ResolvedScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  for (const policy of rules.policies) {
    const added = replicasChangedWithin(policy.periodSeconds, events, 1, now);
    const deleted = replicasChangedWithin(policy.periodSeconds, events, -1, now);
    const periodStartReplicas = currentReplicas - added + deleted;
    // Percent rounds up, otherwise a small target could never grow.
    const proposed = policy.type === 'Pods' ? periodStartReplicas + policy.value : Math.ceil(periodStartReplicas * (1 + policy.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** Lowest replica count the scale-down policies allow now (calculateScaleDownLimitWithBehaviors). */
export function calculateScaleDownLimit(currentReplicas: number, events: readonly ScaleEvent[], rules: ResolvedScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  for (const policy of rules.policies) {
    const added = replicasChangedWithin(policy.periodSeconds, events, 1, now);
    const deleted = replicasChangedWithin(policy.periodSeconds, events, -1, now);
    const periodStartReplicas = currentReplicas - added + deleted;
    const proposed = policy.type === 'Pods' ? periodStartReplicas - policy.value : Math.trunc(periodStartReplicas * (1 - policy.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

export interface LimitResult {
  replicas: number;
  reason: ScalingLimitedReason;
  message: string;
}

/** Applies minReplicas/maxReplicas and the rate policies to a stabilized recommendation. */
export function applyScalingRules(args: {
  currentReplicas: number;
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  behavior: ResolvedBehavior;
  scaleEvents: readonly ScaleEvent[];
  now: number;
}): LimitResult {
  const { currentReplicas, desiredReplicas } = args;
  if (desiredReplicas > currentReplicas) {
    // Never below current: a limit under it only means "no further scale-up for now".
    const scaleUpLimit = Math.max(currentReplicas, calculateScaleUpLimit(currentReplicas, args.scaleEvents, args.behavior.scaleUp, args.now));
    const limitedByRate = args.maxReplicas > scaleUpLimit;
    const maximumAllowed = limitedByRate ? scaleUpLimit : args.maxReplicas;
    if (desiredReplicas > maximumAllowed) {
      return limitedByRate
        ? { replicas: maximumAllowed, reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' }
        : { replicas: maximumAllowed, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
    }
  } else if (desiredReplicas < currentReplicas) {
    const scaleDownLimit = Math.min(currentReplicas, calculateScaleDownLimit(currentReplicas, args.scaleEvents, args.behavior.scaleDown, args.now));
    const limitedByRate = args.minReplicas < scaleDownLimit;
    const minimumAllowed = limitedByRate ? scaleDownLimit : args.minReplicas;
    if (desiredReplicas < minimumAllowed) {
      return limitedByRate
        ? { replicas: minimumAllowed, reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' }
        : { replicas: minimumAllowed, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
    }
  }
  return { replicas: desiredReplicas, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
}

function longestPeriodSeconds(rules: ResolvedScalingRules): number {
  return rules.policies.reduce((longest, policy) => Math.max(longest, policy.periodSeconds), 0);
}

/**
 * Scale events that some policy period can still see; older ones can be forgotten. Both limits
 * look at both directions (pods added in a period count against scale-down too), so the
 * longest period of either direction decides.
 */
export function retainScaleEvents(events: readonly ScaleEvent[], behavior: ResolvedBehavior, now: number): ScaleEvent[] {
  const cutoff = now - Math.max(longestPeriodSeconds(behavior.scaleUp), longestPeriodSeconds(behavior.scaleDown)) * 1000;
  return events.filter((event) => event.replicaChange !== 0 && event.timestamp > cutoff);
}
