import { Taint, TaintEffect, Toleration } from './types';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** Kubernetes Toleration.ToleratesTaint. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  const operator = toleration.operator ?? 'Equal';
  if (operator === 'Exists') return true;
  return (toleration.value ?? '') === (taint.value ?? '');
}

export function isTolerated(taint: Taint, tolerations: readonly Toleration[] | undefined): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** First NoSchedule/NoExecute taint the replica does not tolerate, or undefined. */
export function findUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
): Taint | undefined {
  if (!taints) return undefined;
  for (const taint of taints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!isTolerated(taint, tolerations)) return taint;
  }
  return undefined;
}

/** Untolerated PreferNoSchedule taints (TaintToleration score before normalizing; fewer is better). */
export function countUntoleratedPreferNoSchedule(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
): number {
  if (!taints) return 0;
  let count = 0;
  for (const taint of taints) {
    if (taint.effect === 'PreferNoSchedule' && !isTolerated(taint, tolerations)) count++;
  }
  return count;
}

/** Whether the replica tolerates the synthetic taint a node condition implies (not-ready, cordoned). */
export function toleratesCondition(key: string, tolerations: readonly Toleration[] | undefined, effect: TaintEffect = 'NoSchedule'): boolean {
  return isTolerated({ key, effect }, tolerations);
}
