// Checks the observed state and converts its quantities to milli-units once.
import { type FieldError, InvalidHpaInput } from './autoscaling.errors';
import { quantityToMilli } from './quantity';
import type { PodRecord } from './replica-calculator';
import type { HpaInput, LabelSelector, PodSample, Quantity, ResourceName } from './types';

const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
const RESOURCES: readonly ResourceName[] = ['cpu', 'memory'];

function milliOrError(quantity: Quantity, field: string, errors: FieldError[]): number | undefined {
  try {
    return quantityToMilli(quantity);
  } catch (error) {
    errors.push({ field, message: (error as Error).message });
    return undefined;
  }
}

function toPodRecord(pod: PodSample, index: number, now: number, errors: FieldError[]): PodRecord {
  const at = `pods[${index}]`;
  if (!pod.name) errors.push({ field: `${at}.name`, message: 'Required value' });
  if (!PHASES.includes(pod.phase)) errors.push({ field: `${at}.phase`, message: `Unsupported value: ${JSON.stringify(pod.phase)}` });
  const requestsMilli: PodRecord['requestsMilli'] = {};
  const usageMilli: PodRecord['usageMilli'] = {};
  for (const resource of RESOURCES) {
    const request = pod.requests?.[resource];
    if (request !== undefined) requestsMilli[resource] = milliOrError(request, `${at}.requests.${resource}`, errors);
    const usage = pod.usage?.[resource];
    if (usage !== undefined) usageMilli[resource] = milliOrError(usage, `${at}.usage.${resource}`, errors);
  }
  const metricsMilli: Record<string, number> = {};
  for (const [name, value] of Object.entries(pod.metrics ?? {})) {
    const milli = milliOrError(value, `${at}.metrics.${name}`, errors);
    if (milli !== undefined) metricsMilli[name] = milli;
  }
  return {
    name: pod.name,
    phase: pod.phase,
    deleting: pod.deleting ?? false,
    ready: pod.ready,
    readyTransitionTime: pod.readyTransitionTime,
    startTime: pod.startTime,
    requestsMilli,
    usageMilli,
    usageTimestamp: pod.usageTimestamp ?? now,
    usageWindowMs: (pod.usageWindowSeconds ?? 0) * 1000,
    metricsMilli,
  };
}

function isReplicaCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Validates the non-spec part of the input and returns its pods in milli-units; throws InvalidHpaInput. */
export function normalizePods(input: HpaInput): PodRecord[] {
  const errors: FieldError[] = [];
  if (!Number.isFinite(input.now)) errors.push({ field: 'now', message: 'must be epoch milliseconds' });
  if (!isReplicaCount(input.currentReplicas)) errors.push({ field: 'currentReplicas', message: 'must be a non-negative integer' });
  if (input.statusReplicas !== undefined && !isReplicaCount(input.statusReplicas)) {
    errors.push({ field: 'statusReplicas', message: 'must be a non-negative integer' });
  }
  (input.recommendations ?? []).forEach((rec, i) => {
    if (!Number.isFinite(rec.timestamp) || !isReplicaCount(rec.replicas)) {
      errors.push({ field: `recommendations[${i}]`, message: 'needs a finite timestamp and a non-negative integer replica count' });
    }
  });
  (input.scaleEvents ?? []).forEach((event, i) => {
    if (!Number.isFinite(event.timestamp) || !Number.isInteger(event.replicaChange)) {
      errors.push({ field: `scaleEvents[${i}]`, message: 'needs a finite timestamp and an integer replicaChange' });
    }
  });
  const pods = (input.pods ?? []).map((pod, i) => toPodRecord(pod, i, input.now, errors));
  if (errors.length > 0) throw new InvalidHpaInput(errors);
  return pods;
}

function canonicalSelector(selector: LabelSelector | undefined): string {
  const labels = Object.entries(selector?.matchLabels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const expressions = (selector?.matchExpressions ?? [])
    .map((e) => ({ key: e.key, operator: e.operator, values: [...(e.values ?? [])].sort() }))
    .sort((a, b) => `${a.key}/${a.operator}`.localeCompare(`${b.key}/${b.operator}`));
  return JSON.stringify({ labels, expressions });
}

export function sameSelector(a: LabelSelector | undefined, b: LabelSelector | undefined): boolean {
  return canonicalSelector(a) === canonicalSelector(b);
}

/** Renders a selector the way `kubectl` prints label selectors ("queue=worker,tier in (a,b)"). */
export function formatSelector(selector: LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`);
  for (const e of selector?.matchExpressions ?? []) {
    if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${(e.values ?? []).join(',')})`);
  }
  return parts.join(',');
}

export function samplesOf(pods: readonly PodRecord[], pick: (pod: PodRecord) => number | undefined): Map<string, number> {
  const samples = new Map<string, number>();
  for (const pod of pods) {
    const value = pick(pod);
    if (value !== undefined) samples.set(pod.name, value);
  }
  return samples;
}
