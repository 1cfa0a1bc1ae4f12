// Per-metric replica proposals, following pkg/controller/podautoscaler/replica_calculator.go.
// Values are integer milli-units, as Kubernetes computes them, so rounding matches.
import type { PodGroups, PodPhase, ResourceName } from './types';

const MAX_INT32 = 2147483647;

/** A metric could not be turned into a replica count; the message reads like Kubernetes'. */
export class MetricUnavailable extends Error {
  override readonly name = 'MetricUnavailable';
}

/** A pod sample with quantities already converted to milli-units. */
export interface PodRecord {
  name: string;
  phase: PodPhase;
  deleting: boolean;
  ready?: boolean;
  readyTransitionTime?: number;
  startTime?: number;
  requestsMilli: Partial<Record<ResourceName, number>>;
  usageMilli: Partial<Record<ResourceName, number>>;
  usageTimestamp: number;
  usageWindowMs: number;
  metricsMilli: Record<string, number>;
}

export interface Tolerances {
  scaleUp: number;
  scaleDown: number;
}

export function isWithinTolerance(usageRatio: number, tolerances: Tolerances): boolean {
  return 1 - tolerances.scaleDown <= usageRatio && usageRatio <= 1 + tolerances.scaleUp;
}

export interface CalculatorContext {
  pods: readonly PodRecord[];
  tolerances: Tolerances;
  now: number;
  cpuInitializationPeriodMs: number;
  initialReadinessDelayMs: number;
}

interface GroupedPods {
  readyPodCount: number;
  ready: string[];
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/** Sorts pods into ready (sample usable), unready, missing (no sample) and ignored (deleted or failed). */
export function groupPods(ctx: CalculatorContext, metrics: ReadonlyMap<string, number>, resource: ResourceName | undefined): GroupedPods {
  const grouped: GroupedPods = { readyPodCount: 0, ready: [], unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of ctx.pods) {
    if (pod.deleting || pod.phase === 'Failed') {
      grouped.ignored.add(pod.name);
      continue;
    }
    if (pod.phase === 'Pending') {
      grouped.unready.add(pod.name);
      continue;
    }
    if (!metrics.has(pod.name)) {
      grouped.missing.add(pod.name);
      continue;
    }
    // Only cpu is distorted by start-up work, so only cpu samples of fresh pods are set aside.
    if (resource === 'cpu' && isCpuSampleUnready(ctx, pod)) {
      grouped.unready.add(pod.name);
      continue;
    }
    grouped.readyPodCount++;
    grouped.ready.push(pod.name);
  }
  return grouped;
}

function isCpuSampleUnready(ctx: CalculatorContext, pod: PodRecord): boolean {
  if (pod.ready === undefined || pod.startTime === undefined) return true;
  // A missing transition time is Go's zero time: long before anything else.
  const transition = pod.readyTransitionTime ?? Number.NEGATIVE_INFINITY;
  if (pod.startTime + ctx.cpuInitializationPeriodMs > ctx.now) {
    // Within the initialization period: unready, or the sample window started before the pod became ready.
    return !pod.ready || pod.usageTimestamp < transition + pod.usageWindowMs;
  }
  // Past it: only a pod that has never been ready yet.
  return !pod.ready && pod.startTime + ctx.initialReadinessDelayMs > transition;
}

export function toPodGroups(grouped: GroupedPods): PodGroups {
  return { ready: grouped.ready, unready: [...grouped.unready], missing: [...grouped.missing], ignored: [...grouped.ignored] };
}

function calculateRequests(pods: readonly PodRecord[], resource: ResourceName): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    const request = pod.requestsMilli[resource];
    if (request === undefined) throw new MetricUnavailable(`missing request for ${resource} in Pod ${pod.name}`);
    requests.set(pod.name, request);
  }
  return requests;
}

function utilizationRatio(metrics: ReadonlyMap<string, number>, requests: ReadonlyMap<string, number>, targetUtilization: number) {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [pod, value] of metrics) {
    const request = requests.get(pod);
    if (request === undefined) continue;
    metricsTotal += value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0) throw new MetricUnavailable('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { usageRatio: utilization / targetUtilization, utilization, rawAverageMilli: Math.trunc(metricsTotal / entries) };
}

function usageRatioOf(metrics: ReadonlyMap<string, number>, targetMilli: number) {
  let total = 0;
  for (const value of metrics.values()) total += value;
  const usageMilli = Math.trunc(total / metrics.size);
  return { usageRatio: usageMilli / targetMilli, usageMilli };
}

function withoutPods(metrics: ReadonlyMap<string, number>, ...groups: ReadonlySet<string>[]): Map<string, number> {
  const kept = new Map(metrics);
  for (const group of groups) for (const pod of group) kept.delete(pod);
  return kept;
}

function reversesDirection(usageRatio: number, newUsageRatio: number): boolean {
  return (usageRatio < 1 && newUsageRatio > 1) || (usageRatio > 1 && newUsageRatio < 1);
}

export interface PodMetricProposal {
  replicas: number;
  usageRatio: number;
  pods: PodGroups;
}

export interface UtilizationProposal extends PodMetricProposal {
  utilization: number;
  rawAverageMilli: number;
}

/** GetResourceReplicas: target is a percentage of the pods' summed requests. */
export function resourceUtilizationReplicas(
  ctx: CalculatorContext,
  currentReplicas: number,
  targetUtilization: number,
  resource: ResourceName,
  samples: ReadonlyMap<string, number>,
): UtilizationProposal {
  const grouped = groupPods(ctx, samples, resource);
  const metrics = withoutPods(samples, grouped.ignored, grouped.unready);
  if (metrics.size === 0) throw new MetricUnavailable('did not receive metrics for targeted pods (pods might be unready)');
  const requests = calculateRequests(ctx.pods, resource);
  const { usageRatio, utilization, rawAverageMilli } = utilizationRatio(metrics, requests, targetUtilization);
  const result = (replicas: number): UtilizationProposal => ({ replicas, usageRatio, utilization, rawAverageMilli, pods: toPodGroups(grouped) });

  const scaleUpWithUnready = grouped.unready.size > 0 && usageRatio > 1;
  if (!scaleUpWithUnready && grouped.missing.size === 0) {
    if (isWithinTolerance(usageRatio, ctx.tolerances)) return result(currentReplicas);
    return result(Math.ceil(usageRatio * grouped.readyPodCount));
  }

  if (grouped.missing.size > 0) {
    if (usageRatio < 1) {
      // Scale-down: missing pods use all of their request, or the target when it is above 100%.
      const fallbackUtilization = Math.max(100, targetUtilization);
      for (const pod of grouped.missing) metrics.set(pod, Math.trunc(((requests.get(pod) ?? 0) * fallbackUtilization) / 100));
    } else if (usageRatio > 1) {
      for (const pod of grouped.missing) metrics.set(pod, 0);
    }
  }
  if (scaleUpWithUnready) for (const pod of grouped.unready) metrics.set(pod, 0);

  const newUsageRatio = utilizationRatio(metrics, requests, targetUtilization).usageRatio;
  if (isWithinTolerance(newUsageRatio, ctx.tolerances) || reversesDirection(usageRatio, newUsageRatio)) return result(currentReplicas);

  const newReplicas = Math.ceil(newUsageRatio * metrics.size);
  if ((newUsageRatio < 1 && newReplicas > currentReplicas) || (newUsageRatio > 1 && newReplicas < currentReplicas)) {
    return result(currentReplicas);
  }
  return result(newReplicas);
}

export interface PlainProposal extends PodMetricProposal {
  usageMilli: number;
}

/** calcPlainMetricReplicas: a per-pod average value (Resource AverageValue, Pods metrics). */
export function plainMetricReplicas(
  ctx: CalculatorContext,
  currentReplicas: number,
  targetMilli: number,
  samples: ReadonlyMap<string, number>,
  resource: ResourceName | undefined,
): PlainProposal {
  const grouped = groupPods(ctx, samples, resource);
  const metrics = withoutPods(samples, grouped.ignored, grouped.unready);
  if (metrics.size === 0) throw new MetricUnavailable('did not receive metrics for targeted pods (pods might be unready)');
  const { usageRatio, usageMilli } = usageRatioOf(metrics, targetMilli);
  const result = (replicas: number): PlainProposal => ({ replicas, usageRatio, usageMilli, pods: toPodGroups(grouped) });

  const scaleUpWithUnready = grouped.unready.size > 0 && usageRatio > 1;
  if (!scaleUpWithUnready && grouped.missing.size === 0) {
    if (isWithinTolerance(usageRatio, ctx.tolerances)) return result(currentReplicas);
    return result(Math.ceil(usageRatio * grouped.readyPodCount));
  }

  if (grouped.missing.size > 0) {
    if (usageRatio < 1) {
      for (const pod of grouped.missing) metrics.set(pod, targetMilli);
    } else if (usageRatio > 1) {
      for (const pod of grouped.missing) metrics.set(pod, 0);
    }
  }
  if (scaleUpWithUnready) for (const pod of grouped.unready) metrics.set(pod, 0);

  const newUsageRatio = usageRatioOf(metrics, targetMilli).usageRatio;
  if (isWithinTolerance(newUsageRatio, ctx.tolerances) || reversesDirection(usageRatio, newUsageRatio)) return result(currentReplicas);

  const newReplicas = Math.ceil(newUsageRatio * metrics.size);
  if ((newUsageRatio < 1 && newReplicas > currentReplicas) || (newUsageRatio > 1 && newReplicas < currentReplicas)) {
    return result(currentReplicas);
  }
  return result(newReplicas);
}

export interface ValueProposal {
  replicas: number;
  usageRatio: number;
}

/** getUsageRatioReplicaCount: a single value for the whole target (Object/External Value targets). */
export function usageRatioReplicas(ctx: CalculatorContext, currentReplicas: number, usageRatio: number): ValueProposal {
  if (currentReplicas === 0) {
    // Scaling from zero: no pods to count and no tolerance.
    return { replicas: Math.min(MAX_INT32, Math.ceil(usageRatio)), usageRatio };
  }
  if (isWithinTolerance(usageRatio, ctx.tolerances)) return { replicas: currentReplicas, usageRatio };
  if (ctx.pods.length === 0) {
    throw new MetricUnavailable('unable to calculate ready pods: no pods returned by selector while calculating replica count');
  }
  const readyPodCount = ctx.pods.filter((pod) => pod.phase === 'Running' && pod.ready === true).length;
  return { replicas: Math.min(MAX_INT32, Math.ceil(usageRatio * readyPodCount)), usageRatio };
}

export interface PerPodProposal extends ValueProposal {
  averageMilli: number;
}

/** GetObjectPerPodMetricReplicas / GetExternalPerPodMetricReplicas: total divided by a per-pod target. */
export function perPodReplicas(ctx: CalculatorContext, statusReplicas: number, targetAverageMilli: number, usageMilli: number): PerPodProposal {
  let replicas = statusReplicas;
  const usageRatio = usageMilli / (targetAverageMilli * statusReplicas);
  if (!isWithinTolerance(usageRatio, ctx.tolerances)) replicas = Math.min(MAX_INT32, Math.ceil(usageMilli / targetAverageMilli));
  const averageMilli = statusReplicas > 0 ? Math.ceil(usageMilli / statusReplicas) : usageMilli;
  return { replicas, usageRatio, averageMilli };
}
