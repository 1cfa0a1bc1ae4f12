import type { HorizontalPodAutoscalerSpec, HpaCondition, HpaDecision } from '@berth/autoscaling';

export interface StatusCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface HpaStatus {
  observedGeneration: number;
  lastScaleTime?: string;
  currentReplicas: number;
  desiredReplicas: number;
  currentMetrics: Record<string, unknown>[];
  conditions: StatusCondition[];
}

const CONDITION_ORDER = ['AbleToScale', 'ScalingActive', 'ScalingLimited'];

/**
 * Merges new conditions into the previous ones the way the controller does: a type left out keeps
 * its old value, and lastTransitionTime moves only when the status flips.
 */
export function mergeConditions(previous: readonly StatusCondition[], next: readonly HpaCondition[], now: number): StatusCondition[] {
  const byType = new Map(previous.map((c) => [c.type, c]));
  for (const condition of next) {
    const old = byType.get(condition.type);
    const lastTransitionTime = old && old.status === condition.status && old.lastTransitionTime ? old.lastTransitionTime : new Date(now).toISOString();
    byType.set(condition.type, { type: condition.type, status: condition.status, reason: condition.reason, message: condition.message, lastTransitionTime });
  }
  return [...byType.values()].sort((a, b) => CONDITION_ORDER.indexOf(a.type) - CONDITION_ORDER.indexOf(b.type));
}

/** autoscaling/v2 MetricStatus entries for the metrics the decision could read. */
export function currentMetrics(spec: HorizontalPodAutoscalerSpec, decision: HpaDecision): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const evaluation of decision.metrics) {
    const metric = spec.metrics?.[evaluation.index];
    const current = evaluation.current;
    if (!current) continue;
    if (!metric || metric.type === 'Resource') out.push({ type: 'Resource', resource: { name: metric?.resource?.name ?? 'cpu', current } });
    else if (metric.type === 'Pods' && metric.pods) out.push({ type: 'Pods', pods: { metric: metric.pods.metric, current } });
    else if (metric.type === 'External' && metric.external) out.push({ type: 'External', external: { metric: metric.external.metric, current } });
    else if (metric.type === 'Object' && metric.object) {
      out.push({ type: 'Object', object: { describedObject: metric.object.describedObject, metric: metric.object.metric, current } });
    }
  }
  return out;
}

/** Status equality for "append only on change". */
export function sameStatus(a: Readonly<Record<string, unknown>> | undefined, b: HpaStatus): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}
