import { resolveBehavior } from './hpa-defaults';
import { applyScalingRules, calculateScaleDownLimit, calculateScaleUpLimit, retainScaleEvents, stabilizeRecommendation } from './scaling-behavior';
import { SECOND, T0 } from './testing/hpa.fixtures';

describe('resolveBehavior', () => {
  it('fills the documented Kubernetes defaults', () => {
    expect(resolveBehavior(undefined)).toEqual({
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
        tolerance: 0.1,
      },
      scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }], tolerance: 0.1 },
    });
  });

  it('keeps what the spec sets and defaults the rest field by field', () => {
    const behavior = resolveBehavior({ scaleDown: { selectPolicy: 'Min', tolerance: '50m' } }, { tolerance: 0.2, downscaleStabilizationWindowSeconds: 60 });
    expect(behavior.scaleDown).toMatchObject({ stabilizationWindowSeconds: 60, selectPolicy: 'Min', tolerance: 0.05 });
    expect(behavior.scaleUp.tolerance).toBe(0.2);
  });
});

describe('stabilizeRecommendation', () => {
  const behavior = resolveBehavior({ scaleUp: { stabilizationWindowSeconds: 60 }, scaleDown: { stabilizationWindowSeconds: 120 } });
  const recommendations = [
    { timestamp: T0 - 90 * SECOND, replicas: 3 },
    { timestamp: T0 - 30 * SECOND, replicas: 7 },
    { timestamp: T0 - 10 * SECOND, replicas: 5 },
  ];

  it('scales up only to the lowest recommendation of the scale-up window', () => {
    const result = stabilizeRecommendation({ currentReplicas: 4, desiredReplicas: 9, recommendations, behavior, now: T0 });
    expect(result).toMatchObject({ replicas: 5, reason: 'ScaleUpStabilized' });
  });

  it('scales down only to the highest recommendation of the scale-down window', () => {
    const result = stabilizeRecommendation({ currentReplicas: 8, desiredReplicas: 2, recommendations, behavior, now: T0 });
    expect(result).toMatchObject({ replicas: 7, reason: 'ScaleDownStabilized' });
  });

  it('excludes a recommendation exactly at the window edge', () => {
    const edge = [{ timestamp: T0 - 120 * SECOND, replicas: 10 }];
    expect(stabilizeRecommendation({ currentReplicas: 8, desiredReplicas: 2, recommendations: edge, behavior, now: T0 }).replicas).toBe(2);
  });

  it('passes the proposal through when the windows agree', () => {
    const result = stabilizeRecommendation({ currentReplicas: 5, desiredReplicas: 6, recommendations: [], behavior, now: T0 });
    expect(result).toMatchObject({ replicas: 6, message: 'recommended size matches current size' });
    expect(result.reason).toBeUndefined();
  });
});

describe('scale limits from past events', () => {
  const upRules = resolveBehavior(undefined).scaleUp;

  it('counts only events strictly inside the policy period', () => {
    const events = [{ timestamp: T0 - 15 * SECOND, replicaChange: 4 }];
    expect(calculateScaleUpLimit(8, events, upRules, T0)).toBe(16);
    expect(calculateScaleUpLimit(8, events, upRules, T0 - 1)).toBe(8);
  });

  it('measures from the size at the start of the period, adding back pods removed in it', () => {
    const downRules = resolveBehavior({ scaleDown: { policies: [{ type: 'Pods', value: 3, periodSeconds: 60 }] } }).scaleDown;
    const events = [
      { timestamp: T0 - 30 * SECOND, replicaChange: -2 },
      { timestamp: T0 - 20 * SECOND, replicaChange: 1 },
    ];
    // Period start = 10 - 1 + 2 = 11, so the floor is 8.
    expect(calculateScaleDownLimit(10, events, downRules, T0)).toBe(8);
  });

  it('rounds Percent scale-up up and Percent scale-down down, as Kubernetes does', () => {
    const rules = resolveBehavior({
      scaleUp: { policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] },
      scaleDown: { policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] },
    });
    expect(calculateScaleUpLimit(3, [], rules.scaleUp, T0)).toBe(4);
    expect(calculateScaleDownLimit(72, [], rules.scaleDown, T0)).toBe(64);
  });

  it('applyScalingRules never goes below the current size on scale-up even if the limit has been used up', () => {
    const behavior = resolveBehavior({ scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } });
    const events = [{ timestamp: T0 - 10 * SECOND, replicaChange: 3 }];
    expect(applyScalingRules({ currentReplicas: 5, desiredReplicas: 9, minReplicas: 1, maxReplicas: 10, behavior, scaleEvents: events, now: T0 })).toEqual({
      replicas: 5,
      reason: 'ScaleUpLimit',
      message: 'the desired replica count is increasing faster than the maximum scale rate',
    });
  });

  it('retains events of both directions for the longest policy period of either', () => {
    const behavior = resolveBehavior({ scaleDown: { policies: [{ type: 'Pods', value: 1, periodSeconds: 600 }] } });
    const events = [
      { timestamp: T0 - 20 * SECOND, replicaChange: 2 },
      { timestamp: T0 - 500 * SECOND, replicaChange: -1 },
      { timestamp: T0 - 700 * SECOND, replicaChange: -1 },
    ];
    expect(retainScaleEvents(events, behavior, T0)).toEqual([events[0], events[1]]);
  });

  it('counts recent scale-ups against a long scale-down period', () => {
    const behavior = resolveBehavior({ scaleDown: { policies: [{ type: 'Pods', value: 2, periodSeconds: 600 }] } });
    const events = retainScaleEvents([{ timestamp: T0 - 300 * SECOND, replicaChange: 3 }], behavior, T0);
    // 10 now, 7 at the start of the period: at most 2 fewer than 7.
    expect(calculateScaleDownLimit(10, events, behavior.scaleDown, T0)).toBe(5);
  });
});
