import { DeploymentSpecView, IntOrPercent } from '@berth/cluster-state';

/** A maxSurge/maxUnavailable string that is not "<n>%". */
export class InvalidIntOrPercent extends Error {
  override readonly name = 'InvalidIntOrPercent';
  constructor(readonly value: unknown) {
    super(`invalid value for IntOrString: ${JSON.stringify(value)} is not a number or a percentage`);
  }
}

/**
 * Kubernetes' GetScaledValueFromIntOrPercent: a count as is, or a percentage of `total` rounded up
 * (maxSurge) or down (maxUnavailable). Integer arithmetic, so 25% of 4 is exactly 1.
 */
export function scaledValue(value: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value);
  if (!match) throw new InvalidIntOrPercent(value);
  const scaled = Number(match[1]) * total;
  return roundUp ? Math.ceil(scaled / 100) : Math.floor(scaled / 100);
}

export interface Fenceposts {
  readonly maxSurge: number;
  readonly maxUnavailable: number;
}

/** ResolveFenceposts: surge rounds up, unavailable down, and both 0 would deadlock, so unavailable becomes 1. */
export function resolveFenceposts(maxSurge: IntOrPercent, maxUnavailable: IntOrPercent, desired: number): Fenceposts {
  const surge = scaledValue(maxSurge, desired, true);
  const unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) return { maxSurge: 0, maxUnavailable: 1 };
  return { maxSurge: surge, maxUnavailable: unavailable };
}

/** The rollout limits of a spec: Recreate has no surge and (for availability) tolerates none missing. */
export function fencepostsOf(spec: DeploymentSpecView): Fenceposts {
  if (spec.strategy.type !== 'RollingUpdate') return { maxSurge: 0, maxUnavailable: 0 };
  return resolveFenceposts(spec.strategy.maxSurge, spec.strategy.maxUnavailable, spec.replicas);
}

/** Kubernetes' MaxUnavailable(deployment): 0 for Recreate or 0 replicas, never above the replica count. */
export function maxUnavailableOf(spec: DeploymentSpecView): number {
  if (spec.strategy.type !== 'RollingUpdate' || spec.replicas === 0) return 0;
  return Math.min(fencepostsOf(spec).maxUnavailable, spec.replicas);
}
