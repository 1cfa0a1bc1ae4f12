// Builders shared by the specs: a steady state (pods started long ago, ready) unless told otherwise.
import type { HorizontalPodAutoscalerSpec, HpaInput, MetricSpec, PodSample } from '../types';

export const T0 = Date.parse('2025-01-01T12:00:00Z');
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

/** Started an hour before T0, ready since 50 minutes before. */
export function runningPod(name: string, fields: Partial<PodSample> = {}): PodSample {
  return {
    name,
    phase: 'Running',
    ready: true,
    startTime: T0 - 60 * MINUTE,
    readyTransitionTime: T0 - 50 * MINUTE,
    ...fields,
  };
}

/** Pods with the same cpu request and the given cpu usages (cores or quantity strings). */
export function cpuPods(request: number | string, usages: (number | string)[]): PodSample[] {
  return usages.map((usage, i) => runningPod(`web-${i}`, { requests: { cpu: request }, usage: { cpu: usage } }));
}

export function cpuUtilization(averageUtilization: number): MetricSpec {
  return { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } };
}

export function cpuAverageValue(averageValue: number | string): MetricSpec {
  return { type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue } } };
}

export function podsMetric(name: string, averageValue: number | string): MetricSpec {
  return { type: 'Pods', pods: { metric: { name }, target: { type: 'AverageValue', averageValue } } };
}

export function hpaSpec(fields: Partial<HorizontalPodAutoscalerSpec> = {}): HorizontalPodAutoscalerSpec {
  return {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 100,
    metrics: [cpuUtilization(50)],
    ...fields,
  };
}

/** Behavior that turns the scale-down stabilization window off, to look at one rule at a time. */
export const NO_DOWNSCALE_WINDOW = { scaleDown: { stabilizationWindowSeconds: 0 } };

export function hpaInput(fields: Partial<HpaInput> & Pick<HpaInput, 'pods'>): HpaInput {
  return { spec: hpaSpec(), currentReplicas: fields.pods.length, now: T0, ...fields };
}
