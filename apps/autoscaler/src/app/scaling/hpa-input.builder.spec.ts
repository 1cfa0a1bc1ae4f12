import { ExternalMetricsStore, matchesSelector } from '../metrics/external-metrics.store';
import { FakeMetrics, PlainState, serviceManifest } from '../testing/autoscaler.fixture';
import { HpaInputBuilder, podRequests, ScaleTargetNotFound } from './hpa-input.builder';

const history = () => ({ recommendations: [], scaleEvents: [] });

describe('HpaInputBuilder', () => {
  const builder = new HpaInputBuilder();

  function setup() {
    const state = new PlainState();
    state.deployment('web', { replicas: 3, requests: { cpu: '100m', memory: '64Mi' } });
    state.replica('web', 'r1').replica('web', 'r2').replica('web', 'r3', { ready: false });
    state.hpa('web', 'web');
    return state;
  }

  it('maps replicas to pods with requests, readiness, start times and cpu usage from the monitor', async () => {
    const state = setup();
    const hpa = state.hpaRecord('web');
    const target = builder.resolveTarget(hpa, state.cluster, state.hpas);
    const metrics = new FakeMetrics(() => state.seq.now);
    metrics.cpuPercent = (uid) => (uid === 'r1' ? 20 : uid === 'r2' ? 7.5 : undefined);
    const answer = await metrics.query({ kind: 'replica', names: ['r1', 'r2', 'r3'], windowSeconds: 10 });

    const input = builder.build({ hpa, target, replicaMetrics: answer, external: new ExternalMetricsStore(1000), history: history(), now: state.seq.now });

    expect(input.currentReplicas).toBe(3);
    expect(input.statusReplicas).toBe(3);
    expect(input.pods.map((p) => p.name)).toEqual(['r1', 'r2', 'r3']);
    const [r1, r2, r3] = input.pods;
    expect(r1).toMatchObject({ phase: 'Running', ready: true, requests: { cpu: '100m', memory: 64 * 1024 * 1024 }, usage: { cpu: '200m' }, usageWindowSeconds: 10 });
    expect(r1.startTime).toBe(state.seq.now);
    expect(r2.usage?.cpu).toBe('75m');
    expect(r3).toMatchObject({ ready: false, usage: {} });
  });

  it('needs replica metrics for Resource metrics (and the default), service metrics for Pods metrics', () => {
    expect(builder.needs({ scaleTargetRef: { kind: 'Deployment', name: 'x' }, maxReplicas: 3 })).toEqual({ replicas: true, service: false });
    expect(
      builder.needs({
        scaleTargetRef: { kind: 'Deployment', name: 'x' },
        maxReplicas: 3,
        metrics: [{ type: 'Pods', pods: { metric: { name: 'http_request_latency_ms' }, target: { type: 'AverageValue', averageValue: 100 } } }],
      }),
    ).toEqual({ replicas: false, service: true });
  });

  it('gives every ready pod the latency and error rate of the service selecting it, and shares requests per second', async () => {
    const state = setup();
    state.push('service:default/other', 'ServiceCreated', { manifest: serviceManifest('other', { app: 'api' }) });
    state.push('service:default/web-svc', 'ServiceCreated', { manifest: serviceManifest('web-svc', { app: 'web' }) });
    const hpa = state.hpaRecord('web');
    const target = builder.resolveTarget(hpa, state.cluster, state.hpas);
    expect(target.service?.key).toBe('default/web-svc');
    const metrics = new FakeMetrics(() => state.seq.now);
    metrics.services.set('default/web-svc', { latencyMs: 250, errorRate: 0.02, requestsPerSecond: 100 });
    const answer = await metrics.query({ kind: 'service', names: ['default/web-svc'] });

    const input = builder.build({ hpa, target, serviceMetrics: answer, external: new ExternalMetricsStore(1000), history: history(), now: state.seq.now });

    expect(input.pods[0].metrics).toEqual({ http_request_latency_ms: 250, http_error_rate: 0.02, http_requests_per_second: 50 });
    expect(input.pods[2].metrics).toEqual({});
  });

  it('passes the fresh external metric series the selector matches', () => {
    const state = new PlainState();
    state.deployment('worker').replica('worker', 'w1');
    state.hpa('worker', 'worker', {
      metrics: [{ type: 'External', external: { metric: { name: 'queue_depth', selector: { matchLabels: { queue: 'jobs' } } }, target: { type: 'AverageValue', averageValue: '10' } } }],
    });
    const external = new ExternalMetricsStore(30_000);
    const now = state.seq.now;
    external.record('queue_depth', { value: 40, labels: { queue: 'jobs' } }, now);
    external.record('queue_depth', { value: 99, labels: { queue: 'mail' } }, now);
    external.record('queue_depth', { value: 5, labels: { queue: 'jobs', shard: '2' }, timestamp: now - 60_000 }, now);
    const hpa = state.hpaRecord('worker');

    const input = builder.build({ hpa, target: builder.resolveTarget(hpa, state.cluster, state.hpas), external, history: history(), now });

    expect(input.externalMetrics).toEqual([{ metric: { name: 'queue_depth', selector: { matchLabels: { queue: 'jobs' } } }, values: [40] }]);
  });

  it('refuses a missing target and targets that are not deployments', () => {
    const state = new PlainState();
    state.hpa('a', 'nothing');
    state.push('hpa:default/b', 'HorizontalPodAutoscalerCreated', {
      manifest: { spec: { scaleTargetRef: { kind: 'StatefulSet', name: 'db' }, maxReplicas: 3 } },
    });
    expect(() => builder.resolveTarget(state.hpaRecord('a'), state.cluster, state.hpas)).toThrow(ScaleTargetNotFound);
    expect(() => builder.resolveTarget(state.hpaRecord('b'), state.cluster, state.hpas)).toThrow(/StatefulSet/);
  });

  it('sums requests over containers and leaves out a resource some container does not request', () => {
    const template = (containers: unknown[]) => ({ spec: { containers } });
    expect(podRequests(template([{ resources: { requests: { cpu: '250m', memory: '1Gi' } } }, { resources: { requests: { cpu: 0.5 } } }]))).toEqual({ cpu: '750m' });
    expect(podRequests(template([{}]))).toEqual({});
  });

  it('matches label selectors like Kubernetes', () => {
    const labels = { queue: 'jobs', tier: 'gold' };
    expect(matchesSelector(undefined, labels)).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'silver'] }] }, labels)).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['gold'] }] }, labels)).toBe(false);
    expect(matchesSelector({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(matchesSelector({ matchLabels: { queue: 'mail' } }, labels)).toBe(false);
  });
});
