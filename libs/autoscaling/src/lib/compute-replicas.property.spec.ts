import fc from 'fast-check';
import { computeReplicas } from './compute-replicas';
import { resolveBehavior } from './hpa-defaults';
import { stabilizeRecommendation } from './scaling-behavior';
import { MINUTE, SECOND, T0, cpuPods, cpuUtilization, hpaSpec, runningPod } from './testing/hpa.fixtures';
import type { HorizontalPodAutoscalerBehavior, HpaScalingPolicy, HpaScalingRules, PodSample, ScaleEvent, TimestampedRecommendation } from './types';

const policyArb: fc.Arbitrary<HpaScalingPolicy> = fc.record({
  type: fc.constantFrom<'Pods' | 'Percent'>('Pods', 'Percent'),
  value: fc.integer({ min: 1, max: 200 }),
  periodSeconds: fc.integer({ min: 1, max: 1800 }),
});

const rulesArb: fc.Arbitrary<HpaScalingRules> = fc.record(
  {
    stabilizationWindowSeconds: fc.integer({ min: 0, max: 600 }),
    selectPolicy: fc.constantFrom<'Max' | 'Min' | 'Disabled'>('Max', 'Min', 'Disabled'),
    policies: fc.array(policyArb, { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: [] },
);

const behaviorArb: fc.Arbitrary<HorizontalPodAutoscalerBehavior | undefined> = fc.option(fc.record({ scaleUp: rulesArb, scaleDown: rulesArb }, { requiredKeys: [] }), {
  nil: undefined,
});

const recommendationsArb: fc.Arbitrary<TimestampedRecommendation[]> = fc.array(
  fc.record({ timestamp: fc.integer({ min: T0 - 15 * MINUTE, max: T0 }), replicas: fc.integer({ min: 0, max: 60 }) }),
  { maxLength: 8 },
);

const scaleEventsArb: fc.Arbitrary<ScaleEvent[]> = fc.array(
  fc.record({ timestamp: fc.integer({ min: T0 - 30 * MINUTE, max: T0 }), replicaChange: fc.integer({ min: -10, max: 10 }).filter((n) => n !== 0) }),
  { maxLength: 6 },
);

/** Pods in every state the calculator distinguishes. */
const podArb = (i: number): fc.Arbitrary<PodSample> =>
  fc
    .record({
      usage: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
      phase: fc.constantFrom<'Running' | 'Pending' | 'Failed'>('Running', 'Running', 'Running', 'Pending', 'Failed'),
      ready: fc.option(fc.boolean(), { nil: undefined }),
      startedAgo: fc.integer({ min: 0, max: 20 * MINUTE }),
      deleting: fc.boolean(),
    })
    .map(({ usage, phase, ready, startedAgo, deleting }) =>
      runningPod(`pod-${i}`, {
        phase,
        ready,
        deleting,
        startTime: T0 - startedAgo,
        readyTransitionTime: T0 - Math.floor(startedAgo / 2),
        requests: { cpu: '100m' },
        usage: usage === undefined ? undefined : { cpu: `${usage}m` },
      }),
    );

const podsArb = (count: number) => fc.tuple(...Array.from({ length: count }, (_, i) => podArb(i)));

describe('computeReplicas properties', () => {
  it('always lands within [minReplicas, maxReplicas] unless scaling is disabled', () => {
    const currentAndPods = fc.integer({ min: 1, max: 40 }).chain((current) => fc.tuple(fc.constant(current), podsArb(Math.min(current, 12))));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 30 }),
        currentAndPods,
        fc.integer({ min: 10, max: 200 }),
        behaviorArb,
        recommendationsArb,
        scaleEventsArb,
        (minReplicas, extra, [currentReplicas, pods], target, behavior, recommendations, scaleEvents) => {
          const maxReplicas = minReplicas + extra;
          const decision = computeReplicas({
            spec: hpaSpec({ minReplicas, maxReplicas, metrics: [cpuUtilization(target)], behavior }),
            currentReplicas,
            pods,
            recommendations,
            scaleEvents,
            now: T0,
          });
          expect(decision.desiredReplicas).toBeGreaterThanOrEqual(minReplicas);
          expect(decision.desiredReplicas).toBeLessThanOrEqual(maxReplicas);
          expect(decision.rescale).toBe(decision.desiredReplicas !== currentReplicas);
        },
      ),
    );
  });

  it('does not move while the ratio is within tolerance, whatever the history (no flapping)', () => {
    // Usages around the tolerance band, edges included.
    const targetUsageTolerance = fc
      .tuple(fc.integer({ min: 10, max: 200 }), fc.constantFrom(0.05, 0.1, 0.2))
      .chain(([target, tolerance]) =>
        fc.tuple(fc.constant(target), fc.integer({ min: Math.floor(target * (1 - tolerance)) - 1, max: Math.ceil(target * (1 + tolerance)) + 1 }), fc.constant(tolerance)),
      );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        targetUsageTolerance,
        behaviorArb,
        recommendationsArb,
        scaleEventsArb,
        (currentReplicas, [target, usage, tolerance], behavior, recommendations, scaleEvents) => {
          fc.pre(usage / target >= 1 - tolerance && usage / target <= 1 + tolerance);
          // A 100m request makes `usage` millicores exactly `usage` percent.
          const pods = cpuPods('100m', Array.from({ length: currentReplicas }, () => `${usage}m`));
          const decision = computeReplicas(
            { spec: hpaSpec({ maxReplicas: 30, metrics: [cpuUtilization(target)], behavior }), currentReplicas, pods, recommendations, scaleEvents, now: T0 },
            { tolerance },
          );
          expect(decision.metricProposal).toBe(currentReplicas);
          expect(decision.desiredReplicas).toBe(currentReplicas);
          expect(decision.rescale).toBe(false);
        },
      ),
    );
  });

  it('never removes more pods than the scale-down policies allow within their periods', () => {
    let scaledDown = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 60 }),
        fc.integer({ min: 0, max: 100 }),
        rulesArb,
        scaleEventsArb,
        (currentReplicas, utilization, scaleDown, scaleEvents) => {
          const rules = { ...scaleDown, stabilizationWindowSeconds: 0 };
          const pods = cpuPods('100m', Array.from({ length: currentReplicas }, () => `${utilization}m`));
          const decision = computeReplicas({
            spec: hpaSpec({ maxReplicas: 100, metrics: [cpuUtilization(100)], behavior: { scaleDown: rules } }),
            currentReplicas,
            pods,
            scaleEvents,
            now: T0,
          });
          if (decision.desiredReplicas >= currentReplicas) return;
          scaledDown++;
          const resolved = resolveBehavior({ scaleDown: rules }).scaleDown;
          expect(resolved.selectPolicy).not.toBe('Disabled');
          const within = (policy: HpaScalingPolicy) => {
            const cutoff = T0 - policy.periodSeconds * SECOND;
            const netChange = scaleEvents.filter((e) => e.timestamp > cutoff).reduce((sum, e) => sum + e.replicaChange, 0);
            const periodStart = currentReplicas - netChange;
            const floor = policy.type === 'Pods' ? periodStart - policy.value : Math.trunc(periodStart * (1 - policy.value / 100));
            return decision.desiredReplicas >= floor;
          };
          // Max lets the most permissive policy decide, Min needs every policy to agree.
          if (resolved.selectPolicy === 'Min') expect(resolved.policies.every(within)).toBe(true);
          else expect(resolved.policies.some(within)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    expect(scaledDown).toBeGreaterThan(50);
  });
});

describe('stabilizeRecommendation properties', () => {
  it('returns the current size, the proposal or a recommendation in the window, between current and proposal', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 0, max: 600 }),
        recommendationsArb,
        (currentReplicas, desiredReplicas, upWindow, downWindow, recommendations) => {
          const behavior = resolveBehavior({ scaleUp: { stabilizationWindowSeconds: upWindow }, scaleDown: { stabilizationWindowSeconds: downWindow } });
          const { replicas } = stabilizeRecommendation({ currentReplicas, desiredReplicas, recommendations, behavior, now: T0 });
          const inUpWindow = recommendations.filter((r) => r.timestamp > T0 - upWindow * SECOND).map((r) => r.replicas);
          const inDownWindow = recommendations.filter((r) => r.timestamp > T0 - downWindow * SECOND).map((r) => r.replicas);
          expect([currentReplicas, desiredReplicas, ...inUpWindow, ...inDownWindow]).toContain(replicas);
          expect(replicas).toBeGreaterThanOrEqual(Math.min(desiredReplicas, ...inUpWindow));
          expect(replicas).toBeLessThanOrEqual(Math.max(desiredReplicas, ...inDownWindow));
          expect(replicas).toBeGreaterThanOrEqual(Math.min(currentReplicas, desiredReplicas));
          expect(replicas).toBeLessThanOrEqual(Math.max(currentReplicas, desiredReplicas));
        },
      ),
    );
  });
});
