import { InvalidHpaInput, InvalidHpaSpec } from './autoscaling.errors';
import { computeReplicas } from './compute-replicas';
import {
  MINUTE,
  NO_DOWNSCALE_WINDOW,
  SECOND,
  T0,
  cpuPods,
  cpuUtilization,
  hpaInput,
  hpaSpec,
  podsMetric,
  runningPod,
} from './testing/hpa.fixtures';
import type { HpaDecision, MetricSpec, PodSample } from './types';

function condition(decision: HpaDecision, type: string) {
  return decision.conditions.find((c) => c.type === type);
}

/** Ready for a few seconds only: inside the cpu initialization period. */
function freshPod(name: string, fields: Partial<PodSample>): PodSample {
  return runningPod(name, { startTime: T0 - 60 * SECOND, readyTransitionTime: T0 - 20 * SECOND, ...fields });
}

describe('computeReplicas: resource utilization', () => {
  const spec = hpaSpec({ metrics: [cpuUtilization(50)], behavior: NO_DOWNSCALE_WINDOW });

  it('divides the summed usage by the summed requests, not the mean of per-pod percentages', () => {
    const pods = [runningPod('a', { requests: { cpu: '100m' }, usage: { cpu: '100m' } }), runningPod('b', { requests: { cpu: '300m' }, usage: { cpu: '0' } })];
    const decision = computeReplicas(hpaInput({ spec, pods }));
    expect(decision.metrics[0].current).toEqual({ averageUtilization: 25, averageValue: 0.05 });
    expect(decision.metrics[0].usageRatio).toBe(0.5);
    expect(decision.desiredReplicas).toBe(1);
  });

  it('truncates the utilization to a whole percentage like Kubernetes', () => {
    const decision = computeReplicas(hpaInput({ spec, pods: cpuPods('300m', ['100m', '100m', '101m']) }));
    expect(decision.metrics[0].current?.averageUtilization).toBe(33);
  });

  it('makes the metric invalid when a pod has no request for the resource', () => {
    const pods = [...cpuPods('100m', ['90m']), runningPod('no-request', { usage: { cpu: '90m' } })];
    const decision = computeReplicas(hpaInput({ spec, pods }));
    expect(decision.rescale).toBe(false);
    expect(decision.desiredReplicas).toBe(2);
    expect(decision.metrics[0]).toMatchObject({ errorReason: 'FailedGetResourceMetric', error: 'failed to get cpu utilization: missing request for cpu in Pod no-request' });
    expect(condition(decision, 'ScalingActive')).toEqual({
      type: 'ScalingActive',
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message: 'the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in Pod no-request',
    });
    expect(decision.events).toContainEqual({
      type: 'Warning',
      reason: 'FailedComputeMetricsReplicas',
      message:
        'invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: missing request for cpu in Pod no-request',
    });
  });

  it('ignores pods being deleted and failed pods', () => {
    const pods = [
      ...cpuPods('100m', ['100m', '100m']),
      runningPod('leaving', { deleting: true, requests: { cpu: '100m' }, usage: { cpu: '900m' } }),
      runningPod('crashed', { phase: 'Failed', requests: { cpu: '100m' } }),
    ];
    const decision = computeReplicas(hpaInput({ spec, pods, currentReplicas: 2 }));
    expect(decision.metrics[0].pods).toEqual({ ready: ['web-0', 'web-1'], unready: [], missing: [], ignored: ['leaving', 'crashed'] });
    expect(decision.desiredReplicas).toBe(4);
  });

  it('reports an error when no pod has a sample at all', () => {
    const pods = [runningPod('a', { requests: { cpu: '100m' } })];
    const decision = computeReplicas(hpaInput({ spec, pods }));
    expect(decision.metrics[0].error).toBe('failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API');
  });
});

describe('computeReplicas: missing metrics', () => {
  const spec = hpaSpec({ metrics: [cpuUtilization(50)], behavior: NO_DOWNSCALE_WINDOW });
  const silent = (name: string, request = '100m') => runningPod(name, { requests: { cpu: request } });

  it('counts missing pods as 0% on scale-up, which can bring the ratio within tolerance', () => {
    const pods = [runningPod('hot', { requests: { cpu: '100m' }, usage: { cpu: '200m' } }), silent('quiet', '300m')];
    const decision = computeReplicas(hpaInput({ spec, pods }));
    expect(decision.metrics[0]).toMatchObject({ usageRatio: 4, proposal: 2, pods: { missing: ['quiet'] } });
    expect(decision.rescale).toBe(false);
  });

  it('dampens a scale-up by the missing pods', () => {
    const pods = [runningPod('hot', { requests: { cpu: '100m' }, usage: { cpu: '400m' } }), silent('quiet', '300m')];
    expect(computeReplicas(hpaInput({ spec, pods })).desiredReplicas).toBe(4);
  });

  it('does not scale when the missing pods reverse the direction', () => {
    const pods = [...cpuPods('100m', ['80m']), silent('q1'), silent('q2'), silent('q3')];
    const decision = computeReplicas(hpaInput({ spec, pods }));
    expect(decision.metrics[0].usageRatio).toBe(1.6);
    expect(decision.desiredReplicas).toBe(4);
  });

  it('counts missing pods as 100% of their request on scale-down', () => {
    const target80 = hpaSpec({ metrics: [cpuUtilization(80)], behavior: NO_DOWNSCALE_WINDOW });
    const pods = [...cpuPods('100m', ['10m', '10m']), silent('q1'), silent('q2')];
    const decision = computeReplicas(hpaInput({ spec: target80, pods }));
    expect(decision.metrics[0].usageRatio).toBe(0.125);
    expect(decision.desiredReplicas).toBe(3);
  });

  it('counts missing pods at the target instead when the target is above 100%', () => {
    const target150 = hpaSpec({ metrics: [cpuUtilization(150)], behavior: NO_DOWNSCALE_WINDOW });
    const pods = [...cpuPods('100m', ['30m', '30m']), silent('q1'), silent('q2')];
    expect(computeReplicas(hpaInput({ spec: target150, pods })).desiredReplicas).toBe(3);
  });

  it('counts missing pods at the target value for Pods metrics on scale-down', () => {
    const podsSpec = hpaSpec({ metrics: [podsMetric('requests_per_second', 10)], behavior: NO_DOWNSCALE_WINDOW });
    const pods = [runningPod('a', { metrics: { requests_per_second: 2 } }), runningPod('b', { metrics: { requests_per_second: 2 } }), runningPod('c'), runningPod('d')];
    const decision = computeReplicas(hpaInput({ spec: podsSpec, pods }));
    expect(decision.metrics[0].current).toEqual({ averageValue: 2 });
    expect(decision.desiredReplicas).toBe(3);
  });
});

describe('computeReplicas: pods that are not ready', () => {
  const spec = hpaSpec({ metrics: [cpuUtilization(50)], behavior: NO_DOWNSCALE_WINDOW });

  it('counts not-yet-ready pods as 0% on scale-up', () => {
    const pods = [
      runningPod('ready', { requests: { cpu: '100m' }, usage: { cpu: '260m' } }),
      freshPod('starting', { ready: false, readyTransitionTime: T0 - 60 * SECOND, requests: { cpu: '300m' }, usage: { cpu: '50m' } }),
    ];
    const decision = computeReplicas(hpaInput({ spec, pods }));
    expect(decision.metrics[0]).toMatchObject({ usageRatio: 5.2, pods: { ready: ['ready'], unready: ['starting'] } });
    expect(decision.desiredReplicas).toBe(3);
  });

  it('does not scale when the unready pods reverse the direction', () => {
    const pending = (name: string) => runningPod(name, { phase: 'Pending', ready: false, requests: { cpu: '100m' } });
    const pods = [...cpuPods('100m', ['60m']), pending('p1'), pending('p2'), pending('p3')];
    const decision = computeReplicas(hpaInput({ spec, pods }));
    expect(decision.metrics[0].usageRatio).toBe(1.2);
    expect(decision.desiredReplicas).toBe(4);
  });

  it('leaves unready pods out on scale-down', () => {
    const pods = [...cpuPods('100m', ['10m', '10m']), runningPod('p1', { phase: 'Pending', requests: { cpu: '100m' } }), runningPod('p2', { phase: 'Pending', requests: { cpu: '100m' } })];
    expect(computeReplicas(hpaInput({ spec, pods })).desiredReplicas).toBe(1);
  });

  it('sets aside a cpu sample whose window began before the pod became ready (initialization period)', () => {
    const pods = (windowSeconds: number) => [
      freshPod('warming', { requests: { cpu: '100m' }, usage: { cpu: '500m' }, usageTimestamp: T0, usageWindowSeconds: windowSeconds }),
      runningPod('steady', { requests: { cpu: '100m' }, usage: { cpu: '100m' } }),
    ];
    const overlapping = computeReplicas(hpaInput({ spec, pods: pods(30) }));
    expect(overlapping.metrics[0].pods?.unready).toEqual(['warming']);
    expect(overlapping.desiredReplicas).toBe(2);
    const clean = computeReplicas(hpaInput({ spec, pods: pods(15) }));
    expect(clean.metrics[0].pods?.unready).toEqual([]);
    expect(clean.metricProposal).toBe(12);
  });

  it('after the initialization period, sets aside only pods that have never been ready', () => {
    const notReady = (readySince: number) =>
      runningPod('flaky', { ready: false, startTime: T0 - 10 * MINUTE, readyTransitionTime: readySince, requests: { cpu: '100m' }, usage: { cpu: '300m' } });
    const steady = runningPod('steady', { requests: { cpu: '100m' }, usage: { cpu: '100m' } });
    const neverReady = computeReplicas(hpaInput({ spec, pods: [notReady(T0 - 10 * MINUTE + 10 * SECOND), steady] }));
    expect(neverReady.metrics[0].pods?.unready).toEqual(['flaky']);
    expect(neverReady.desiredReplicas).toBe(2);
    const wasReady = computeReplicas(hpaInput({ spec, pods: [notReady(T0 - 2 * MINUTE), steady] }));
    expect(wasReady.metrics[0].pods?.unready).toEqual([]);
    expect(wasReady.metricProposal).toBe(8);
  });

  it('treats a pod without a Ready condition as not ready for cpu', () => {
    const pods = [runningPod('new', { ready: undefined, requests: { cpu: '100m' }, usage: { cpu: '100m' } }), ...cpuPods('100m', ['100m'])];
    expect(computeReplicas(hpaInput({ spec, pods })).metrics[0].pods?.unready).toEqual(['new']);
  });

  it('applies no readiness check to memory samples', () => {
    const memory: MetricSpec = { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 100 } } };
    const pods = [
      freshPod('starting', { ready: false, requests: { memory: '100Mi' }, usage: { memory: '200Mi' } }),
      runningPod('steady', { requests: { memory: '100Mi' }, usage: { memory: '100Mi' } }),
    ];
    const decision = computeReplicas(hpaInput({ spec: hpaSpec({ metrics: [memory] }), pods }));
    expect(decision.metrics[0].current?.averageUtilization).toBe(150);
    expect(decision.desiredReplicas).toBe(3);
  });
});

describe('computeReplicas: several metrics', () => {
  const rps = podsMetric('requests_per_second', 10);
  const brokenCpu = cpuUtilization(50);
  const pods = (rate: number) => [
    runningPod('a', { usage: { cpu: '100m' }, metrics: { requests_per_second: rate } }),
    runningPod('b', { usage: { cpu: '100m' }, metrics: { requests_per_second: rate } }),
  ];

  it('takes the largest proposal', () => {
    const withRequests = pods(30).map((p) => ({ ...p, requests: { cpu: '100m' } }));
    const decision = computeReplicas(hpaInput({ spec: hpaSpec({ metrics: [cpuUtilization(50), rps] }), pods: withRequests }));
    expect(decision.metrics.map((m) => m.proposal)).toEqual([4, 6]);
    expect(decision.desiredReplicas).toBe(6);
    expect(decision.metricName).toBe('pods metric requests_per_second');
    expect(decision.reason).toBe('pods metric requests_per_second above target');
    expect(condition(decision, 'ScalingActive')).toEqual({
      type: 'ScalingActive',
      status: 'True',
      reason: 'ValidMetricFound',
      message: 'the HPA was able to successfully calculate a replica count from pods metric requests_per_second',
    });
  });

  it('still scales up when another metric is invalid', () => {
    const decision = computeReplicas(hpaInput({ spec: hpaSpec({ metrics: [brokenCpu, rps] }), pods: pods(30) }));
    expect(decision.desiredReplicas).toBe(6);
    expect(condition(decision, 'ScalingActive')?.status).toBe('True');
    expect(decision.events.map((e) => e.reason)).toEqual(['FailedGetResourceMetric', 'SuccessfulRescale']);
  });

  it('does not scale down while another metric is invalid', () => {
    const decision = computeReplicas(hpaInput({ spec: hpaSpec({ metrics: [brokenCpu, rps], behavior: NO_DOWNSCALE_WINDOW }), pods: pods(3) }));
    expect(decision.metrics[1].proposal).toBe(1);
    expect(decision.desiredReplicas).toBe(2);
    expect(decision.rescale).toBe(false);
    expect(condition(decision, 'ScalingActive')).toMatchObject({ status: 'False', reason: 'FailedGetResourceMetric' });
    expect(decision.reason).toBe(
      'invalid metrics (1 invalid out of 2), first error is: failed to get cpu resource metric value: failed to get cpu utilization: missing request for cpu in Pod a',
    );
  });

  it('keeps the current size when every metric is invalid', () => {
    const external: MetricSpec = { type: 'External', external: { metric: { name: 'queue_length' }, target: { type: 'Value', value: 10 } } };
    const decision = computeReplicas(hpaInput({ spec: hpaSpec({ metrics: [external, brokenCpu] }), pods: pods(3) }));
    expect(decision.desiredReplicas).toBe(2);
    expect(condition(decision, 'ScalingActive')).toMatchObject({ status: 'False', reason: 'FailedGetExternalMetric' });
    expect(decision.events.at(-1)?.message).toMatch(/^invalid metrics \(2 invalid out of 2\), first error is: failed to get queue_length external metric value: unable to get external metric/);
    expect(decision.recommendation).toBeUndefined();
  });

  it('defaults to cpu at 80% utilization when no metric is given', () => {
    const decision = computeReplicas(hpaInput({ spec: hpaSpec({ metrics: [] }), pods: cpuPods('100m', ['160m', '160m']) }));
    expect(decision.metrics[0]).toMatchObject({ description: 'cpu resource utilization (percentage of request)', usageRatio: 2 });
    expect(decision.desiredReplicas).toBe(4);
  });
});

describe('computeReplicas: Object and External metrics', () => {
  const ingress = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main-route' };

  it('Object Value: multiplies the ratio by the ready pods', () => {
    const spec = hpaSpec({ metrics: [{ type: 'Object', object: { describedObject: ingress, metric: { name: 'requests-per-second' }, target: { type: 'Value', value: '2k' } } }] });
    const pods = [runningPod('a'), runningPod('b'), runningPod('c'), runningPod('d', { ready: false })];
    const decision = computeReplicas(hpaInput({ spec, pods, objectMetrics: [{ describedObject: ingress, metric: { name: 'requests-per-second' }, value: '4k' }] }));
    expect(decision.metrics[0]).toMatchObject({ description: 'Ingress metric requests-per-second', current: { value: 4000 }, usageRatio: 2, proposal: 6 });
  });

  it('Object AverageValue: divides the total by the per-pod target', () => {
    const spec = hpaSpec({ metrics: [{ type: 'Object', object: { describedObject: ingress, metric: { name: 'requests-per-second' }, target: { type: 'AverageValue', averageValue: 500 } } }] });
    const decision = computeReplicas(hpaInput({ spec, pods: [], currentReplicas: 4, objectMetrics: [{ describedObject: ingress, metric: { name: 'requests-per-second' }, value: 3000 }] }));
    expect(decision.metrics[0]).toMatchObject({ current: { averageValue: 750 }, usageRatio: 1.5, proposal: 6 });
  });

  it('External AverageValue: sums every series of the selector', () => {
    const selector = { matchLabels: { queue: 'worker_tasks' } };
    const spec = hpaSpec({ metrics: [{ type: 'External', external: { metric: { name: 'queue_messages_ready', selector }, target: { type: 'AverageValue', averageValue: 30 } } }] });
    const decision = computeReplicas(
      hpaInput({
        spec,
        pods: [runningPod('a'), runningPod('b')],
        externalMetrics: [
          { metric: { name: 'queue_messages_ready', selector: { matchLabels: { queue: 'other' } } }, values: [1000] },
          { metric: { name: 'queue_messages_ready', selector }, values: [45, 75] },
        ],
      }),
    );
    expect(decision.metrics[0]).toMatchObject({ description: 'external metric queue_messages_ready(queue=worker_tasks)', current: { averageValue: 60 }, proposal: 4 });
    expect(decision.desiredReplicas).toBe(4);
  });
});

describe('computeReplicas: replica bounds', () => {
  it('clamps to maxReplicas with ScalingLimited TooManyReplicas', () => {
    const decision = computeReplicas(hpaInput({ spec: hpaSpec({ maxReplicas: 5 }), pods: cpuPods('100m', ['100m', '100m', '100m', '100m']) }));
    expect(decision.metricProposal).toBe(8);
    expect(decision.desiredReplicas).toBe(5);
    expect(condition(decision, 'ScalingLimited')).toEqual({
      type: 'ScalingLimited',
      status: 'True',
      reason: 'TooManyReplicas',
      message: 'the desired replica count is more than the maximum replica count',
    });
  });

  it('clamps to minReplicas with ScalingLimited TooFewReplicas', () => {
    const decision = computeReplicas(hpaInput({ spec: hpaSpec({ minReplicas: 3, behavior: NO_DOWNSCALE_WINDOW }), pods: cpuPods('100m', ['5m', '5m', '5m', '5m']) }));
    expect(decision.desiredReplicas).toBe(3);
    expect(condition(decision, 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'TooFewReplicas' });
  });

  it('reports DesiredWithinRange when nothing limits the proposal', () => {
    const decision = computeReplicas(hpaInput({ pods: cpuPods('100m', ['75m', '75m']) }));
    expect(decision.desiredReplicas).toBe(3);
    expect(condition(decision, 'ScalingLimited')).toEqual({
      type: 'ScalingLimited',
      status: 'False',
      reason: 'DesiredWithinRange',
      message: 'the desired count is within the acceptable range',
    });
  });

  it('brings a target above maxReplicas back without looking at metrics', () => {
    const decision = computeReplicas(hpaInput({ spec: hpaSpec({ maxReplicas: 10 }), pods: [], currentReplicas: 12 }));
    expect(decision).toMatchObject({ desiredReplicas: 10, rescale: true, reason: 'Current number of replicas above Spec.MaxReplicas', limit: 'TooManyReplicas', metrics: [] });
    expect(decision.events).toEqual([{ type: 'Normal', reason: 'SuccessfulRescale', message: 'New size: 10; reason: Current number of replicas above Spec.MaxReplicas' }]);
    expect(condition(decision, 'ScalingActive')).toBeUndefined();
  });

  it('brings a target below minReplicas up', () => {
    const decision = computeReplicas(hpaInput({ spec: hpaSpec({ minReplicas: 2 }), pods: [], currentReplicas: 1 }));
    expect(decision).toMatchObject({ desiredReplicas: 2, reason: 'Current number of replicas below Spec.MinReplicas', scaleEvent: { timestamp: T0, replicaChange: 1 } });
  });

  it('leaves a target scaled to zero alone (ScalingDisabled) unless minReplicas is 0', () => {
    const decision = computeReplicas(hpaInput({ pods: [], currentReplicas: 0 }));
    expect(decision).toMatchObject({ desiredReplicas: 0, rescale: false });
    expect(condition(decision, 'ScalingActive')).toEqual({
      type: 'ScalingActive',
      status: 'False',
      reason: 'ScalingDisabled',
      message: 'scaling is disabled since the replica count of the target is zero',
    });
  });
});

describe('computeReplicas: scale to zero', () => {
  const queue: MetricSpec = { type: 'External', external: { metric: { name: 'queue_length' }, target: { type: 'Value', value: 10 } } };
  const spec = hpaSpec({ minReplicas: 0, metrics: [queue], behavior: NO_DOWNSCALE_WINDOW });
  const queueAt = (length: number) => [{ metric: { name: 'queue_length' }, values: [length] }];

  it('is rejected unless allowed by the option', () => {
    expect(() => computeReplicas(hpaInput({ spec, pods: [] }))).toThrow(InvalidHpaSpec);
  });

  it('needs an Object or External metric', () => {
    expect(() => computeReplicas(hpaInput({ spec: hpaSpec({ minReplicas: 0 }), pods: [] }), { allowScaleToZero: true })).toThrow(
      /must specify at least one Object or External metric/,
    );
  });

  it('scales to zero when the metric is zero, and back from zero by ceil(ratio)', () => {
    const down = computeReplicas(hpaInput({ spec, pods: [runningPod('a'), runningPod('b')], externalMetrics: queueAt(0) }), { allowScaleToZero: true });
    expect(down.desiredReplicas).toBe(0);
    const up = computeReplicas(hpaInput({ spec, pods: [], currentReplicas: 0, externalMetrics: queueAt(25) }), { allowScaleToZero: true });
    expect(up.desiredReplicas).toBe(3);
  });
});

describe('computeReplicas: history in, history out', () => {
  it('records the unstabilized proposal and forgets recommendations outside both windows', () => {
    const recommendations = [
      { timestamp: T0 - 10 * MINUTE, replicas: 9 },
      { timestamp: T0 - 1 * MINUTE, replicas: 2 },
    ];
    const decision = computeReplicas(hpaInput({ pods: cpuPods('100m', ['100m', '100m']), recommendations }));
    expect(decision.recommendation).toEqual({ timestamp: T0, replicas: 4 });
    expect(decision.recommendations).toEqual([recommendations[1], { timestamp: T0, replicas: 4 }]);
  });

  it('returns the scale event to store, and keeps only the events a policy period can still see', () => {
    const scaleEvents = [
      { timestamp: T0 - 20 * SECOND, replicaChange: 1 },
      { timestamp: T0 - 5 * SECOND, replicaChange: 1 },
      { timestamp: T0 - 5 * MINUTE, replicaChange: -3 },
    ];
    const decision = computeReplicas(hpaInput({ pods: cpuPods('100m', ['100m', '100m']), scaleEvents }));
    expect(decision.scaleEvent).toEqual({ timestamp: T0, replicaChange: 2 });
    expect(decision.scaleEvents).toEqual([scaleEvents[1]]);
  });

  it('keeps scale-ups as long as a scale-down period can see them', () => {
    const spec = hpaSpec({ behavior: { scaleDown: { policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] } } });
    const scaleEvents = [{ timestamp: T0 - 100 * SECOND, replicaChange: 3 }];
    expect(computeReplicas(hpaInput({ spec, pods: cpuPods('100m', ['50m', '50m']), scaleEvents })).scaleEvents).toEqual(scaleEvents);
  });

  it('keeps the current size and records nothing to apply when the proposal matches it', () => {
    const decision = computeReplicas(hpaInput({ pods: cpuPods('100m', ['50m', '52m']) }));
    expect(decision).toMatchObject({ rescale: false, desiredReplicas: 2, reason: 'recommended size matches current size' });
    expect(decision.scaleEvent).toBeUndefined();
    expect(decision.events).toEqual([]);
  });
});

describe('computeReplicas: invalid input', () => {
  it('throws InvalidHpaSpec with the fields Kubernetes would reject', () => {
    const run = () => computeReplicas(hpaInput({ spec: hpaSpec({ minReplicas: 5, maxReplicas: 3 }), pods: [] }));
    expect(run).toThrow(InvalidHpaSpec);
    expect(run).toThrow('spec.maxReplicas: must be greater than or equal to `minReplicas`');
  });

  it('throws InvalidHpaInput for malformed observations', () => {
    expect(() => computeReplicas(hpaInput({ pods: [], currentReplicas: -1 }))).toThrow(InvalidHpaInput);
    expect(() => computeReplicas(hpaInput({ pods: cpuPods('lots', ['1']) }))).toThrow(/pods\[0\]\.requests\.cpu/);
  });
});
