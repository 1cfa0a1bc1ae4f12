import { InvalidHpaSpec } from './autoscaling.errors';
import { DEFAULT_METRICS, DEFAULT_MIN_REPLICAS, resolveBehavior, resolveSettings } from './hpa-defaults';
import { normalizePods } from './hpa-input';
import { validateHpaSpec } from './hpa-spec.validator';
import { type MetricFailure, evaluateMetric } from './metric-evaluator';
import type { CalculatorContext } from './replica-calculator';
import { applyScalingRules, retainScaleEvents, stabilizeRecommendation } from './scaling-behavior';
import type { HpaCondition, HpaConditionType, HpaDecision, HpaEvent, HpaInput, HpaOptions, MetricEvaluation, TimestampedRecommendation } from './types';

class Conditions {
  private readonly byType = new Map<HpaConditionType, HpaCondition>();
  set(type: HpaConditionType, status: boolean, reason: string, message: string): void {
    this.byType.set(type, { type, status: status ? 'True' : 'False', reason, message });
  }
  put(condition: HpaCondition): void {
    this.byType.set(condition.type, condition);
  }
  list(): HpaCondition[] {
    return (['AbleToScale', 'ScalingActive', 'ScalingLimited'] as const).flatMap((type) => this.byType.get(type) ?? []);
  }
}

interface MetricsSummary {
  /** -1 when no usable proposal (computeReplicasForMetrics' failure signal). */
  replicas: number;
  metricName?: string;
  evaluations: MetricEvaluation[];
  failures: MetricFailure[];
}

function computeReplicasForMetrics(input: HpaInput, ctx: CalculatorContext, specReplicas: number, statusReplicas: number): MetricsSummary {
  const specs = input.spec.metrics && input.spec.metrics.length > 0 ? input.spec.metrics : DEFAULT_METRICS;
  const env = { ctx, specReplicas, statusReplicas, objectMetrics: input.objectMetrics ?? [], externalMetrics: input.externalMetrics ?? [] };
  const evaluations: MetricEvaluation[] = [];
  const failures: MetricFailure[] = [];
  let replicas = 0;
  let metricName: string | undefined;
  specs.forEach((spec, index) => {
    const outcome = evaluateMetric(spec, index, env);
    evaluations.push(outcome.evaluation);
    if (outcome.failure) {
      failures.push(outcome.failure);
      return;
    }
    const proposal = outcome.evaluation.proposal ?? 0;
    if (replicas === 0 || proposal > replicas) {
      replicas = proposal;
      metricName = outcome.evaluation.description;
    }
  });
  // A failing metric may hide a reason to stay large, so only a scale-up may go ahead without it.
  if (failures.length >= specs.length || (failures.length > 0 && replicas < specReplicas)) {
    return { replicas: -1, evaluations, failures };
  }
  return { replicas, metricName, evaluations, failures };
}

/**
 * Decides the replica count of one HorizontalPodAutoscaler evaluation with Kubernetes
 * autoscaling/v2 semantics: per-metric proposals (largest wins), tolerance, missing and
 * unready pods, min/max, stabilization windows and scaling policies.
 *
 * Pure: history comes in (`recommendations`, `scaleEvents`) and the entries to keep come out
 * (`decision.recommendations`; `decision.scaleEvent` once the rescale is applied).
 *
 * @throws InvalidHpaSpec when Kubernetes validation would reject the spec.
 * @throws InvalidHpaInput when replica counts, times or quantities in the input are malformed.
 */
export function computeReplicas(input: HpaInput, options: HpaOptions = {}): HpaDecision {
  const specErrors = validateHpaSpec(input.spec, options);
  if (specErrors.length > 0) throw new InvalidHpaSpec(specErrors);
  const pods = normalizePods(input);

  const settings = resolveSettings(options);
  const { spec, currentReplicas, now } = input;
  const minReplicas = spec.minReplicas ?? DEFAULT_MIN_REPLICAS;
  const behavior = resolveBehavior(spec.behavior, options);
  // A new history starts with the current size, so a fresh controller waits a full window before scaling down.
  const history: TimestampedRecommendation[] =
    input.recommendations && input.recommendations.length > 0 ? [...input.recommendations] : [{ timestamp: now, replicas: currentReplicas }];
  const scaleEvents = retainScaleEvents(input.scaleEvents ?? [], behavior, now);

  const conditions = new Conditions();
  const events: HpaEvent[] = [];
  conditions.set('AbleToScale', true, 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
  const unchanged = (reason: string, rest: Partial<HpaDecision> = {}): HpaDecision => ({
    currentReplicas,
    desiredReplicas: currentReplicas,
    rescale: false,
    reason,
    metrics: [],
    conditions: conditions.list(),
    events,
    recommendations: history,
    scaleEvents,
    ...rest,
  });
  const rescaled = (desiredReplicas: number, reason: string, rest: Partial<HpaDecision>): HpaDecision => {
    events.push({ type: 'Normal', reason: 'SuccessfulRescale', message: `New size: ${desiredReplicas}; reason: ${reason}` });
    return {
      currentReplicas,
      desiredReplicas,
      rescale: true,
      reason,
      metrics: [],
      conditions: conditions.list(),
      events,
      recommendations: history,
      scaleEvent: { timestamp: now, replicaChange: desiredReplicas - currentReplicas },
      scaleEvents,
      ...rest,
    };
  };

  if (currentReplicas === 0 && minReplicas !== 0) {
    const message = 'scaling is disabled since the replica count of the target is zero';
    conditions.set('ScalingActive', false, 'ScalingDisabled', message);
    return unchanged(message);
  }
  if (currentReplicas > spec.maxReplicas) {
    conditions.set('ScalingLimited', true, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count');
    return rescaled(spec.maxReplicas, 'Current number of replicas above Spec.MaxReplicas', { limit: 'TooManyReplicas' });
  }
  if (currentReplicas < minReplicas) {
    conditions.set('ScalingLimited', true, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count');
    return rescaled(minReplicas, 'Current number of replicas below Spec.MinReplicas', { limit: 'TooFewReplicas' });
  }

  const ctx: CalculatorContext = {
    pods,
    now,
    tolerances: { scaleUp: behavior.scaleUp.tolerance, scaleDown: behavior.scaleDown.tolerance },
    cpuInitializationPeriodMs: settings.cpuInitializationPeriodSeconds * 1000,
    initialReadinessDelayMs: settings.initialReadinessDelaySeconds * 1000,
  };
  const summary = computeReplicasForMetrics(input, ctx, currentReplicas, input.statusReplicas ?? currentReplicas);
  events.push(...summary.failures.map((failure) => failure.event));
  if (summary.replicas === -1) {
    const [first] = summary.failures;
    const message = `invalid metrics (${summary.failures.length} invalid out of ${summary.evaluations.length}), first error is: ${first.error}`;
    conditions.put(first.condition);
    events.push({ type: 'Warning', reason: 'FailedComputeMetricsReplicas', message });
    return unchanged(message, { metrics: summary.evaluations });
  }
  conditions.set('ScalingActive', true, 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${summary.metricName ?? ''}`);

  const metricProposal = summary.replicas;
  let rescaleReason = '';
  if (metricProposal > currentReplicas) rescaleReason = `${summary.metricName ?? ''} above target`;
  if (metricProposal < currentReplicas) rescaleReason = 'All metrics below target';

  const stabilized = stabilizeRecommendation({ currentReplicas, desiredReplicas: metricProposal, recommendations: history, behavior, now });
  conditions.set('AbleToScale', true, stabilized.reason ?? 'ReadyForNewScale', stabilized.message);
  const limited = applyScalingRules({
    currentReplicas,
    desiredReplicas: stabilized.replicas,
    minReplicas,
    maxReplicas: spec.maxReplicas,
    behavior,
    scaleEvents,
    now,
  });
  conditions.set('ScalingLimited', limited.replicas !== stabilized.replicas, limited.reason, limited.message);

  const details: Partial<HpaDecision> = {
    metrics: summary.evaluations,
    metricProposal,
    metricName: summary.metricName,
    stabilizedReplicas: stabilized.replicas,
    stabilization: stabilized.reason,
    limit: limited.reason,
    recommendation: stabilized.recommendation,
    recommendations: stabilized.recommendations,
  };
  if (limited.replicas !== currentReplicas) return rescaled(limited.replicas, rescaleReason, details);
  let heldBy = 'recommended size matches current size';
  if (limited.reason !== 'DesiredWithinRange') heldBy = limited.message;
  if (stabilized.reason) heldBy = stabilized.message;
  return unchanged(heldBy, details);
}
