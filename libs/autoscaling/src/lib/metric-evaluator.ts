// One metric spec -> one replica proposal or one failure, as horizontal.go's computeReplicasForMetric.
import { formatSelector, sameSelector, samplesOf } from './hpa-input';
import { fromMilli, quantityToMilli } from './quantity';
import {
  type CalculatorContext,
  MetricUnavailable,
  perPodReplicas,
  plainMetricReplicas,
  resourceUtilizationReplicas,
  usageRatioReplicas,
} from './replica-calculator';
import type { ExternalMetricValue, HpaCondition, HpaEvent, MetricEvaluation, MetricSpec, ObjectMetricValue } from './types';

export interface MetricEnvironment {
  ctx: CalculatorContext;
  /** scale.spec.replicas */
  specReplicas: number;
  /** scale.status.replicas */
  statusReplicas: number;
  objectMetrics: readonly ObjectMetricValue[];
  externalMetrics: readonly ExternalMetricValue[];
}

export interface MetricFailure {
  condition: HpaCondition;
  event: HpaEvent;
  /** The error as computeReplicasForMetrics reports it. */
  error: string;
}

export interface MetricOutcome {
  evaluation: MetricEvaluation;
  failure?: MetricFailure;
}

type Base = Pick<MetricEvaluation, 'index' | 'type' | 'description'>;

function failed(base: Base, reason: string, message: string, error: string): MetricOutcome {
  return {
    evaluation: { ...base, error: message, errorReason: reason },
    failure: {
      condition: { type: 'ScalingActive', status: 'False', reason, message: `the HPA was unable to compute the replica count: ${message}` },
      event: { type: 'Warning', reason, message },
      error,
    },
  };
}

/** Runs a calculation, turning MetricUnavailable into a failure; anything else is a bug and propagates. */
function attempt(base: Base, compute: () => MetricEvaluation, onError: (message: string) => MetricOutcome): MetricOutcome {
  try {
    return { evaluation: compute() };
  } catch (error) {
    if (error instanceof MetricUnavailable) return onError(error.message);
    throw error;
  }
}

function evaluateResource(spec: MetricSpec, index: number, env: MetricEnvironment): MetricOutcome {
  const source = spec.resource;
  const name = source?.name ?? '';
  const fail = (base: Base, message: string) => failed(base, 'FailedGetResourceMetric', message, `failed to get ${name} resource metric value: ${message}`);
  const utilizationBase: Base = { index, type: 'Resource', description: `${name} resource utilization (percentage of request)` };
  if (!source || (source.target.averageValue === undefined && source.target.averageUtilization === undefined)) {
    return fail(utilizationBase, 'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
  }
  const samples = samplesOf(env.ctx.pods, (pod) => pod.usageMilli[source.name]);
  const requireSamples = () => {
    if (samples.size === 0) throw new MetricUnavailable(`unable to get metrics for resource ${name}: no metrics returned from resource metrics API`);
  };

  const { averageValue, averageUtilization } = source.target;
  if (averageValue !== undefined) {
    const base: Base = { index, type: 'Resource', description: `${name} resource` };
    const targetMilli = quantityToMilli(averageValue);
    return attempt(
      base,
      () => {
        requireSamples();
        const p = plainMetricReplicas(env.ctx, env.specReplicas, targetMilli, samples, source.name);
        return { ...base, current: { averageValue: fromMilli(p.usageMilli) }, usageRatio: p.usageRatio, proposal: p.replicas, pods: p.pods };
      },
      (message) => fail(base, `failed to get ${name} usage: ${message}`),
    );
  }
  const targetUtilization = averageUtilization ?? 0;
  return attempt(
    utilizationBase,
    () => {
      requireSamples();
      const p = resourceUtilizationReplicas(env.ctx, env.specReplicas, targetUtilization, source.name, samples);
      return {
        ...utilizationBase,
        current: { averageUtilization: p.utilization, averageValue: fromMilli(p.rawAverageMilli) },
        usageRatio: p.usageRatio,
        proposal: p.replicas,
        pods: p.pods,
      };
    },
    (message) => fail(utilizationBase, `failed to get ${name} utilization: ${message}`),
  );
}

function evaluatePods(spec: MetricSpec, index: number, env: MetricEnvironment): MetricOutcome {
  const metricName = spec.pods?.metric.name ?? '';
  const base: Base = { index, type: 'Pods', description: `pods metric ${metricName}` };
  const fail = (message: string) => failed(base, 'FailedGetPodsMetric', message, `failed to get pods metric value: ${message}`);
  const averageValue = spec.pods?.target.averageValue;
  if (averageValue === undefined) return fail('invalid pods metric source: an average value target must be set');
  const targetMilli = quantityToMilli(averageValue);
  return attempt(
    base,
    () => {
      const samples = samplesOf(env.ctx.pods, (pod) => pod.metricsMilli[metricName]);
      if (samples.size === 0) throw new MetricUnavailable(`unable to get metric ${metricName}: no metrics returned from custom metrics API`);
      const p = plainMetricReplicas(env.ctx, env.specReplicas, targetMilli, samples, undefined);
      return { ...base, current: { averageValue: fromMilli(p.usageMilli) }, usageRatio: p.usageRatio, proposal: p.replicas, pods: p.pods };
    },
    fail,
  );
}

function evaluateObject(spec: MetricSpec, index: number, env: MetricEnvironment): MetricOutcome {
  const source = spec.object;
  const kind = source?.describedObject.kind ?? '';
  const objectName = source?.describedObject.name ?? '';
  const metricName = source?.metric.name ?? '';
  const base: Base = { index, type: 'Object', description: `${kind} metric ${metricName}` };
  const fail = (message: string) => failed(base, 'FailedGetObjectMetric', message, `failed to get object metric value: ${message}`);
  const found = env.objectMetrics.find(
    (m) =>
      m.describedObject.kind === kind &&
      m.describedObject.name === objectName &&
      (m.describedObject.apiVersion === undefined || source?.describedObject.apiVersion === undefined || m.describedObject.apiVersion === source.describedObject.apiVersion) &&
      m.metric.name === metricName &&
      sameSelector(m.metric.selector, source?.metric.selector),
  );
  const target = source?.target;
  return attempt(
    base,
    () => {
      if (!found) throw new MetricUnavailable(`unable to get metric ${metricName}: no value was supplied on ${kind} ${objectName}`);
      const usageMilli = quantityToMilli(found.value);
      if (target?.type === 'Value' && target.value !== undefined) {
        const p = usageRatioReplicas(env.ctx, env.specReplicas, usageMilli / quantityToMilli(target.value));
        return { ...base, current: { value: fromMilli(usageMilli) }, usageRatio: p.usageRatio, proposal: p.replicas };
      }
      if (target?.type === 'AverageValue' && target.averageValue !== undefined) {
        const p = perPodReplicas(env.ctx, env.statusReplicas, quantityToMilli(target.averageValue), usageMilli);
        return { ...base, current: { averageValue: fromMilli(p.averageMilli) }, usageRatio: p.usageRatio, proposal: p.replicas };
      }
      throw new MetricUnavailable('invalid object metric source: neither a value target nor an average value target was set');
    },
    fail,
  );
}

function evaluateExternal(spec: MetricSpec, index: number, env: MetricEnvironment): MetricOutcome {
  const source = spec.external;
  const metricName = source?.metric.name ?? '';
  const selector = formatSelector(source?.metric.selector);
  const base: Base = { index, type: 'External', description: selector ? `external metric ${metricName}(${selector})` : `external metric ${metricName}` };
  const fail = (message: string) => failed(base, 'FailedGetExternalMetric', message, `failed to get ${metricName} external metric value: ${message}`);
  const found = env.externalMetrics.find((m) => m.metric.name === metricName && sameSelector(m.metric.selector, source?.metric.selector));
  const target = source?.target;
  return attempt(
    base,
    () => {
      if (!found || found.values.length === 0) {
        throw new MetricUnavailable(`unable to get external metric ${metricName}/${selector}: no metrics returned from external metrics API`);
      }
      const usageMilli = found.values.reduce<number>((sum, value) => sum + quantityToMilli(value), 0);
      if (target?.averageValue !== undefined) {
        const p = perPodReplicas(env.ctx, env.statusReplicas, quantityToMilli(target.averageValue), usageMilli);
        return { ...base, current: { averageValue: fromMilli(p.averageMilli) }, usageRatio: p.usageRatio, proposal: p.replicas };
      }
      if (target?.value !== undefined) {
        const p = usageRatioReplicas(env.ctx, env.specReplicas, usageMilli / quantityToMilli(target.value));
        return { ...base, current: { value: fromMilli(usageMilli) }, usageRatio: p.usageRatio, proposal: p.replicas };
      }
      throw new MetricUnavailable('invalid external metric source: neither a value target nor an average value target was set');
    },
    fail,
  );
}

export function evaluateMetric(spec: MetricSpec, index: number, env: MetricEnvironment): MetricOutcome {
  switch (spec.type) {
    case 'Resource':
      return evaluateResource(spec, index, env);
    case 'Pods':
      return evaluatePods(spec, index, env);
    case 'Object':
      return evaluateObject(spec, index, env);
    case 'External':
      return evaluateExternal(spec, index, env);
    default: {
      const message = `unknown metric source type ${JSON.stringify(spec.type)}`;
      return failed({ index, type: spec.type, description: String(spec.type) }, 'InvalidMetricSourceType', message, message);
    }
  }
}
