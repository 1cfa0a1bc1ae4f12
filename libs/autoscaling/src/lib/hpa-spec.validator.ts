// The subset of Kubernetes' ValidateHorizontalPodAutoscalerSpec that the calculator relies on.
import type { FieldError } from './autoscaling.errors';
import { resolveSettings } from './hpa-defaults';
import { parseQuantity } from './quantity';
import type { HorizontalPodAutoscalerSpec, HpaOptions, HpaScalingRules, MetricSpec, MetricTarget, MetricTargetType, Quantity } from './types';

const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
const MAX_PERIOD_SECONDS = 1800;

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

function positiveQuantity(value: Quantity, field: string, errors: FieldError[]): void {
  let parsed: number;
  try {
    parsed = parseQuantity(value);
  } catch (error) {
    errors.push({ field, message: (error as Error).message });
    return;
  }
  if (!(parsed > 0)) errors.push({ field, message: 'must be positive' });
}

function validateTarget(target: MetricTarget | undefined, allowed: readonly MetricTargetType[], field: string, errors: FieldError[]): void {
  if (!target) {
    errors.push({ field, message: 'Required value: must specify a metric target' });
    return;
  }
  if (!allowed.includes(target.type)) {
    errors.push({ field: `${field}.type`, message: `Unsupported value: ${JSON.stringify(target.type)}: supported values: ${allowed.map((t) => `"${t}"`).join(', ')}` });
    return;
  }
  if (target.type === 'Utilization' && target.averageUtilization === undefined) {
    errors.push({ field: `${field}.averageUtilization`, message: 'Required value: must set either a target raw value or a target utilization' });
  }
  if (target.averageUtilization !== undefined && (!isInteger(target.averageUtilization) || target.averageUtilization < 1)) {
    errors.push({ field: `${field}.averageUtilization`, message: 'must be an integer greater than 0' });
  }
  if (target.type === 'Value' && target.value === undefined) {
    errors.push({ field: `${field}.value`, message: 'Required value: must set either a target value for metric or a per-pod target' });
  }
  if (target.value !== undefined) positiveQuantity(target.value, `${field}.value`, errors);
  if (target.type === 'AverageValue' && target.averageValue === undefined) {
    errors.push({ field: `${field}.averageValue`, message: 'Required value: must set either a target value for metric or a per-pod target' });
  }
  if (target.averageValue !== undefined) positiveQuantity(target.averageValue, `${field}.averageValue`, errors);
}

const SOURCE_FIELD = { Resource: 'resource', Pods: 'pods', Object: 'object', External: 'external' } as const;

function validateMetric(metric: MetricSpec, field: string, errors: FieldError[]): void {
  const sourceField = SOURCE_FIELD[metric.type];
  if (!sourceField) {
    errors.push({ field: `${field}.type`, message: `Unsupported value: ${JSON.stringify(metric.type)}: supported values: "Resource", "Pods", "Object", "External"` });
    return;
  }
  if (!metric[sourceField]) {
    errors.push({ field: `${field}.${sourceField}`, message: 'Required value: must populate information for the given metric source' });
    return;
  }
  const at = `${field}.${sourceField}`;
  if (metric.resource && metric.type === 'Resource') {
    const { name, target } = metric.resource;
    if (name !== 'cpu' && name !== 'memory') errors.push({ field: `${at}.name`, message: `Unsupported value: ${JSON.stringify(name)}: supported values: "cpu", "memory"` });
    if (target?.averageValue !== undefined && target.averageUtilization !== undefined) {
      errors.push({ field: `${at}.target`, message: 'Forbidden: may not set both a target raw value and a target utilization' });
    }
    validateTarget(target, ['Utilization', 'AverageValue'], `${at}.target`, errors);
  } else if (metric.pods && metric.type === 'Pods') {
    if (!metric.pods.metric?.name) errors.push({ field: `${at}.metric.name`, message: 'Required value: must specify a metric name' });
    validateTarget(metric.pods.target, ['AverageValue'], `${at}.target`, errors);
  } else if (metric.object && metric.type === 'Object') {
    const { describedObject, metric: identifier, target } = metric.object;
    if (!describedObject?.kind) errors.push({ field: `${at}.describedObject.kind`, message: 'Required value' });
    if (!describedObject?.name) errors.push({ field: `${at}.describedObject.name`, message: 'Required value' });
    if (!identifier?.name) errors.push({ field: `${at}.metric.name`, message: 'Required value: must specify a metric name' });
    validateTarget(target, ['Value', 'AverageValue'], `${at}.target`, errors);
  } else if (metric.external) {
    if (!metric.external.metric?.name) errors.push({ field: `${at}.metric.name`, message: 'Required value: must specify a metric name' });
    validateTarget(metric.external.target, ['Value', 'AverageValue'], `${at}.target`, errors);
  }
}

function validateScalingRules(rules: HpaScalingRules | undefined, field: string, errors: FieldError[]): void {
  if (!rules) return;
  const window = rules.stabilizationWindowSeconds;
  if (window !== undefined && (!isInteger(window) || window < 0 || window > MAX_STABILIZATION_WINDOW_SECONDS)) {
    errors.push({ field: `${field}.stabilizationWindowSeconds`, message: `must be an integer between 0 and ${MAX_STABILIZATION_WINDOW_SECONDS}` });
  }
  if (rules.selectPolicy !== undefined && !['Max', 'Min', 'Disabled'].includes(rules.selectPolicy)) {
    errors.push({ field: `${field}.selectPolicy`, message: `Unsupported value: ${JSON.stringify(rules.selectPolicy)}: supported values: "Disabled", "Max", "Min"` });
  }
  if (rules.policies !== undefined && rules.policies.length === 0) {
    errors.push({ field: `${field}.policies`, message: 'Required value: must specify at least one Policy' });
  }
  (rules.policies ?? []).forEach((policy, i) => {
    const at = `${field}.policies[${i}]`;
    if (policy.type !== 'Pods' && policy.type !== 'Percent') {
      errors.push({ field: `${at}.type`, message: `Unsupported value: ${JSON.stringify(policy.type)}: supported values: "Percent", "Pods"` });
    }
    if (!isInteger(policy.value) || policy.value <= 0) errors.push({ field: `${at}.value`, message: 'must be an integer greater than zero' });
    if (!isInteger(policy.periodSeconds) || policy.periodSeconds <= 0 || policy.periodSeconds > MAX_PERIOD_SECONDS) {
      errors.push({ field: `${at}.periodSeconds`, message: `must be an integer greater than zero and less than or equal to ${MAX_PERIOD_SECONDS}` });
    }
  });
  if (rules.tolerance !== undefined) {
    try {
      if (parseQuantity(rules.tolerance) < 0) errors.push({ field: `${field}.tolerance`, message: 'must be greater than or equal to 0' });
    } catch (error) {
      errors.push({ field: `${field}.tolerance`, message: (error as Error).message });
    }
  }
}

/**
 * Returns the fields Kubernetes would reject, by path ("spec.maxReplicas"); empty when valid.
 * minReplicas 0 is only valid with `allowScaleToZero` (the HPAScaleToZero gate).
 */
export function validateHpaSpec(spec: HorizontalPodAutoscalerSpec, options: HpaOptions = {}): FieldError[] {
  const errors: FieldError[] = [];
  const { allowScaleToZero } = resolveSettings(options);
  if (!spec.scaleTargetRef?.kind) errors.push({ field: 'spec.scaleTargetRef.kind', message: 'Required value' });
  if (!spec.scaleTargetRef?.name) errors.push({ field: 'spec.scaleTargetRef.name', message: 'Required value' });

  const minReplicas = spec.minReplicas ?? 1;
  const lowest = allowScaleToZero ? 0 : 1;
  if (!isInteger(minReplicas) || minReplicas < lowest) {
    errors.push({ field: 'spec.minReplicas', message: `must be an integer greater than or equal to ${lowest}` });
  }
  if (!isInteger(spec.maxReplicas) || spec.maxReplicas < 1) {
    errors.push({ field: 'spec.maxReplicas', message: 'must be an integer greater than or equal to 1' });
  } else if (isInteger(minReplicas) && spec.maxReplicas < minReplicas) {
    errors.push({ field: 'spec.maxReplicas', message: 'must be greater than or equal to `minReplicas`' });
  }

  const metrics = spec.metrics ?? [];
  metrics.forEach((metric, i) => validateMetric(metric, `spec.metrics[${i}]`, errors));
  if (minReplicas === 0 && allowScaleToZero && !metrics.some((m) => m.type === 'Object' || m.type === 'External')) {
    errors.push({ field: 'spec.metrics', message: 'Forbidden: must specify at least one Object or External metric to support scaling to zero replicas' });
  }

  validateScalingRules(spec.behavior?.scaleUp, 'spec.behavior.scaleUp', errors);
  validateScalingRules(spec.behavior?.scaleDown, 'spec.behavior.scaleDown', errors);
  return errors;
}
