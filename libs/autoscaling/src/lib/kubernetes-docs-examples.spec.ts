// The worked examples of kubernetes.io "Horizontal Pod Autoscaling" and its walkthrough,
// replayed through computeReplicas.
import { computeReplicas } from './compute-replicas';
import { MINUTE, NO_DOWNSCALE_WINDOW, SECOND, T0, cpuAverageValue, cpuPods, cpuUtilization, hpaInput, hpaSpec, runningPod } from './testing/hpa.fixtures';
import type { HorizontalPodAutoscalerBehavior, HpaInput, ScaleEvent, TimestampedRecommendation } from './types';

/** `count` pods at `utilization`% of a 100m cpu request. */
function podsAt(count: number, utilization: number) {
  return cpuPods('100m', Array.from({ length: count }, () => `${utilization}m`));
}

describe('algorithm details: desiredReplicas = ceil(currentReplicas * currentMetricValue / desiredMetricValue)', () => {
  it('doubles the replicas when the current value is 200m and the target 100m', () => {
    const decision = computeReplicas(hpaInput({ spec: hpaSpec({ metrics: [cpuAverageValue('100m')] }), pods: cpuPods('500m', ['200m', '200m', '200m']) }));
    expect(decision.metrics[0]).toMatchObject({ current: { averageValue: 0.2 }, usageRatio: 2, proposal: 6 });
    expect(decision.desiredReplicas).toBe(6);
    expect(decision.reason).toBe('cpu resource above target');
  });

  it('doubles the replicas for a utilization target too (200% of request against 100%)', () => {
    const decision = computeReplicas(hpaInput({ spec: hpaSpec({ metrics: [cpuUtilization(100)] }), pods: podsAt(3, 200) }));
    expect(decision.desiredReplicas).toBe(6);
    expect(decision.events).toContainEqual({
      type: 'Normal',
      reason: 'SuccessfulRescale',
      message: 'New size: 6; reason: cpu resource utilization (percentage of request) above target',
    });
  });

  it('halves the replicas when the current value is 50m and the target 100m', () => {
    const spec = hpaSpec({ metrics: [cpuAverageValue('100m')], behavior: NO_DOWNSCALE_WINDOW });
    const decision = computeReplicas(hpaInput({ spec, pods: cpuPods('500m', ['50m', '50m', '50m', '50m']) }));
    expect(decision.desiredReplicas).toBe(2);
    expect(decision.reason).toBe('All metrics below target');
  });

  it.each([
    ['110m', 10],
    ['90m', 10],
    ['111m', 12],
    ['89m', 9],
  ])('skips scaling while the ratio is within the 0.1 tolerance (10 pods at %s against 100m -> %i)', (usage, expected) => {
    const spec = hpaSpec({ metrics: [cpuAverageValue('100m')], behavior: NO_DOWNSCALE_WINDOW });
    const decision = computeReplicas(hpaInput({ spec, pods: cpuPods('1', Array.from({ length: 10 }, () => usage)) }));
    expect(decision.desiredReplicas).toBe(expected);
  });

  it('honours a per-direction tolerance: scaleUp.tolerance 0.05 on a 100Mi memory target', () => {
    const spec = hpaSpec({
      metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } }],
      behavior: { scaleUp: { tolerance: 0.05 }, ...NO_DOWNSCALE_WINDOW },
    });
    const memoryPods = (usage: string) => [1, 2, 3, 4].map((i) => runningPod(`api-${i}`, { requests: { memory: '256Mi' }, usage: { memory: usage } }));
    expect(computeReplicas(hpaInput({ spec, pods: memoryPods('105Mi') })).desiredReplicas).toBe(4);
    expect(computeReplicas(hpaInput({ spec, pods: memoryPods('106Mi') })).desiredReplicas).toBe(5);
    // Scale-down keeps the default 10%.
    expect(computeReplicas(hpaInput({ spec, pods: memoryPods('91Mi') })).desiredReplicas).toBe(4);
  });
});

describe('walkthrough: php-apache at 305% of request against a 50% target', () => {
  const spec = hpaSpec({ metrics: [cpuUtilization(50)], maxReplicas: 10 });
  const pods = cpuPods('200m', ['610m']);

  it('proposes 7 replicas but the default scale-up policy allows max(4 pods, 100%) per 15 s: 1 -> 5', () => {
    const decision = computeReplicas(hpaInput({ spec, pods }));
    expect(decision.metrics[0].current).toEqual({ averageUtilization: 305, averageValue: 0.61 });
    expect(decision.metricProposal).toBe(7);
    expect(decision.desiredReplicas).toBe(5);
    expect(decision.limit).toBe('ScaleUpLimit');
    expect(decision.scaleEvent).toEqual({ timestamp: T0, replicaChange: 4 });
  });

  it('does not add more within the same 15 s period, and continues once the period has passed', () => {
    const first = computeReplicas(hpaInput({ spec, pods }));
    const scaleEvents = [first.scaleEvent as ScaleEvent];
    const fivePods = cpuPods('200m', ['610m', '610m', '610m', '610m', '610m']);
    const soon = computeReplicas(hpaInput({ spec, pods: fivePods, now: T0 + 10 * SECOND, scaleEvents, recommendations: first.recommendations }));
    expect(soon.desiredReplicas).toBe(5);
    expect(soon.conditions).toContainEqual(expect.objectContaining({ type: 'ScalingLimited', status: 'True', reason: 'ScaleUpLimit' }));
    const later = computeReplicas(hpaInput({ spec, pods: fivePods, now: T0 + 15 * SECOND, scaleEvents, recommendations: first.recommendations }));
    expect(later.desiredReplicas).toBe(10);
  });
});

describe('stabilization window', () => {
  const behavior: HorizontalPodAutoscalerBehavior = { scaleDown: { stabilizationWindowSeconds: 300 } };
  const spec = hpaSpec({ metrics: [cpuUtilization(50)], behavior });
  // 10 pods at 20% against 50% -> a recommendation of 4.
  const pods = podsAt(10, 20);
  const history: TimestampedRecommendation[] = [
    { timestamp: T0 - 240 * SECOND, replicas: 10 },
    { timestamp: T0 - 120 * SECOND, replicas: 8 },
    { timestamp: T0 - 60 * SECOND, replicas: 6 },
  ];

  it('uses the highest recommendation of the last 300 s when scaling down', () => {
    const decision = computeReplicas(hpaInput({ spec, pods, recommendations: history }));
    expect(decision.metricProposal).toBe(4);
    expect(decision.desiredReplicas).toBe(10);
    expect(decision.rescale).toBe(false);
    expect(decision.stabilization).toBe('ScaleDownStabilized');
    expect(decision.conditions).toContainEqual({
      type: 'AbleToScale',
      status: 'True',
      reason: 'ScaleDownStabilized',
      message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
    });
    expect(decision.recommendation).toEqual({ timestamp: T0, replicas: 4 });
  });

  it('follows the recommendations down as they leave the window', () => {
    const first = computeReplicas(hpaInput({ spec, pods, recommendations: history }));
    const next = computeReplicas(hpaInput({ spec, pods, recommendations: first.recommendations, now: T0 + 61 * SECOND }));
    expect(next.desiredReplicas).toBe(8);
    expect(next.recommendations.map((r) => r.replicas)).toEqual([8, 6, 4, 4]);
  });

  it('by default waits 300 s before a first scale-down (the history starts with the current size)', () => {
    const defaults = hpaSpec({ metrics: [cpuUtilization(50)] });
    const fresh = computeReplicas(hpaInput({ spec: defaults, pods }));
    expect(fresh.desiredReplicas).toBe(10);
    expect(fresh.recommendations).toEqual([
      { timestamp: T0, replicas: 10 },
      { timestamp: T0, replicas: 4 },
    ]);
    const almost = computeReplicas(hpaInput({ spec: defaults, pods, recommendations: fresh.recommendations, now: T0 + 299 * SECOND }));
    expect(almost.desiredReplicas).toBe(10);
    const after = computeReplicas(hpaInput({ spec: defaults, pods, recommendations: fresh.recommendations, now: T0 + 300 * SECOND }));
    expect(after.desiredReplicas).toBe(4);
  });
});

describe('scaling policies', () => {
  /** `current` pods at 8% against an 80% target: a proposal of a tenth of the current size. */
  function scaleDownInput(current: number, behavior: HorizontalPodAutoscalerBehavior, extra: Partial<HpaInput> = {}): HpaInput {
    const spec = hpaSpec({ metrics: [cpuUtilization(80)], maxReplicas: 200, behavior });
    return hpaInput({ spec, pods: podsAt(current, 8), ...extra });
  }

  describe('scaleDown: Pods 4 per 60 s and Percent 10 per 60 s (selectPolicy Max)', () => {
    const behavior: HorizontalPodAutoscalerBehavior = {
      scaleDown: {
        stabilizationWindowSeconds: 0,
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 60 },
          { type: 'Percent', value: 10, periodSeconds: 60 },
        ],
      },
    };

    it('removes 8 of 80 replicas, then 8 of 72 (7.2 rounded up), one period apart', () => {
      const first = computeReplicas(scaleDownInput(80, behavior));
      expect(first.metricProposal).toBe(8);
      expect(first.desiredReplicas).toBe(72);
      expect(first.limit).toBe('ScaleDownLimit');
      const second = computeReplicas(scaleDownInput(72, behavior, { now: T0 + 61 * SECOND, scaleEvents: [first.scaleEvent as ScaleEvent] }));
      expect(second.desiredReplicas).toBe(64);
    });

    it('removes nothing more inside the same period', () => {
      const first = computeReplicas(scaleDownInput(80, behavior));
      const again = computeReplicas(scaleDownInput(72, behavior, { now: T0 + 15 * SECOND, scaleEvents: [first.scaleEvent as ScaleEvent] }));
      expect(again.desiredReplicas).toBe(72);
      expect(again.rescale).toBe(false);
      expect(again.reason).toBe('the desired replica count is decreasing faster than the maximum scale rate');
    });

    it('uses the Pods policy (4 at a time) at 40 replicas or fewer', () => {
      expect(computeReplicas(scaleDownInput(40, behavior)).desiredReplicas).toBe(36);
      expect(computeReplicas(scaleDownInput(30, behavior)).desiredReplicas).toBe(26);
    });
  });

  it('limits scale-down to 10% per minute with a single Percent policy', () => {
    const behavior: HorizontalPodAutoscalerBehavior = { scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] } };
    const first = computeReplicas(scaleDownInput(100, behavior));
    expect(first.desiredReplicas).toBe(90);
    const events = [first.scaleEvent as ScaleEvent];
    expect(computeReplicas(scaleDownInput(90, behavior, { now: T0 + 30 * SECOND, scaleEvents: events })).desiredReplicas).toBe(90);
    expect(computeReplicas(scaleDownInput(90, behavior, { now: T0 + 60 * SECOND, scaleEvents: events })).desiredReplicas).toBe(81);
  });

  it('with selectPolicy Min removes no more than 5 pods nor 10% per minute', () => {
    const behavior: HorizontalPodAutoscalerBehavior = {
      scaleDown: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Min',
        policies: [
          { type: 'Percent', value: 10, periodSeconds: 60 },
          { type: 'Pods', value: 5, periodSeconds: 60 },
        ],
      },
    };
    expect(computeReplicas(scaleDownInput(100, behavior)).desiredReplicas).toBe(95);
    expect(computeReplicas(scaleDownInput(40, behavior)).desiredReplicas).toBe(36);
  });

  it('never scales down with selectPolicy Disabled', () => {
    const decision = computeReplicas(scaleDownInput(50, { scaleDown: { selectPolicy: 'Disabled' } }, { recommendations: [{ timestamp: T0 - 10 * MINUTE, replicas: 1 }] }));
    expect(decision.metricProposal).toBe(5);
    expect(decision.desiredReplicas).toBe(50);
    expect(decision.limit).toBe('ScaleDownLimit');
  });

  it('scales up rapidly with Percent 900: 9 times the current pods may be added', () => {
    const spec = hpaSpec({ metrics: [cpuUtilization(50)], behavior: { scaleUp: { policies: [{ type: 'Percent', value: 900, periodSeconds: 60 }] } } });
    const decision = computeReplicas(hpaInput({ spec, pods: podsAt(1, 1500) }));
    expect(decision.metricProposal).toBe(30);
    expect(decision.desiredReplicas).toBe(10);
  });

  it('by default adds at most max(4 pods, 100%) per 15 s', () => {
    const spec = hpaSpec({ metrics: [cpuUtilization(50)], maxReplicas: 1000 });
    expect(computeReplicas(hpaInput({ spec, pods: podsAt(2, 1000) })).desiredReplicas).toBe(6);
    expect(computeReplicas(hpaInput({ spec, pods: podsAt(10, 1000) })).desiredReplicas).toBe(20);
  });
});
