import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import { AutoscalerMetrics } from '../metrics/autoscaler.metrics';
import { ExternalMetricsStore } from '../metrics/external-metrics.store';
import { FakeMetrics, FakeWriter, PlainState } from '../testing/autoscaler.fixture';
import { HpaController } from './hpa-controller';

const SYNC_MS = 1_000;
const FAST_SCALE_DOWN = { behavior: { scaleDown: { stabilizationWindowSeconds: 30 } } };

describe('HpaController', () => {
  beforeAll(() => Logger.overrideLogger(['error']));

  function setup(replicas: number, hpaSpec: Record<string, unknown> = {}) {
    const state = new PlainState();
    state.deployment('web', { replicas });
    for (let i = 1; i <= replicas; i++) state.replica('web', `r${i}`);
    // Past the cpu initialization period, so every ready sample counts.
    state.advance(10 * 60_000);
    state.hpa('web', 'web', hpaSpec);
    const clock = () => state.seq.now;
    const metrics = new FakeMetrics(clock);
    const writer = new FakeWriter(state);
    const registry = new Registry();
    const telemetry = new AutoscalerMetrics(registry);
    const controller = new HpaController({
      cluster: state.cluster,
      hpas: state.hpas,
      metrics,
      external: new ExternalMetricsStore(60_000),
      writer,
      settings: { metricsWindowMs: 2 * SYNC_MS, hpa: {} },
      clock,
      telemetry,
    });
    const sync = async () => {
      const outcomes = await controller.syncAll();
      state.advance(SYNC_MS);
      return outcomes[0];
    };
    return { state, metrics, writer, controller, sync, registry };
  }

  it('scales up on high cpu: DeploymentScaled and Decided in one append, with the streams expected versions', async () => {
    const { state, metrics, writer, sync, registry } = setup(2);
    metrics.cpuPercent = 20; // 200m used of 100m requested: 200% against a 50% target
    const deploymentVersion = state.deploymentRecord('web').version;
    const hpaVersion = state.hpaRecord('web').version;

    const outcome = await sync();

    expect(outcome).toMatchObject({ result: 'scaled', currentReplicas: 2, desiredReplicas: 6 }); // 8 wanted; the default policy allows +4 per 15 s
    expect(writer.appended).toHaveLength(1);
    const [deployment, hpa] = writer.appended[0];
    expect(deployment).toMatchObject({ streamId: 'deployment:default/web', expected: deploymentVersion, events: [{ type: 'DeploymentScaled', data: { replicas: 6 } }] });
    expect((deployment.events[0].data as { reason: string }).reason).toMatch(/New size: 6; reason: cpu resource utilization/);
    expect(hpa.streamId).toBe('hpa:default/web');
    expect(hpa.expected).toBe(hpaVersion);
    expect(hpa.events.map((e) => e.type)).toEqual(['HorizontalPodAutoscalerDecided', 'HorizontalPodAutoscalerStatusChanged']);
    expect(hpa.events[0].data).toMatchObject({ currentReplicas: 2, desiredReplicas: 6, recommendation: 8, metrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 200 } } }] });
    expect(state.deploymentRecord('web').spec.replicas).toBe(6);
    const status = state.hpaRecord('web').status as Record<string, unknown>;
    expect(status).toMatchObject({ currentReplicas: 2, desiredReplicas: 6, lastScaleTime: expect.any(String) });
    expect(status['conditions']).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale' })]));
    expect(await registry.getSingleMetricAsString('berth_autoscaler_decisions_total')).toContain('direction="up"} 1');
  });

  it('does not scale down before the stabilization window has passed, then does', async () => {
    const { metrics, writer, sync } = setup(4, FAST_SCALE_DOWN);
    metrics.cpuPercent = 2; // 20% against 50%: 2 replicas would do

    const early: string[] = [];
    for (let t = 0; t < 29; t++) early.push((await sync()).result);
    expect(early.every((r) => r === 'unchanged')).toBe(true);
    expect(writer.eventsOfType('DeploymentScaled')).toEqual([]);

    let outcome = await sync();
    for (let t = 0; t < 3 && outcome.result !== 'scaled'; t++) outcome = await sync();
    expect(outcome).toMatchObject({ result: 'scaled', currentReplicas: 4, desiredReplicas: 2 });
    expect(writer.eventsOfType('DeploymentScaled')).toEqual([{ streamId: 'deployment:default/web', data: expect.objectContaining({ replicas: 2 }) }]);
  });

  it('does not flap while the load stays within tolerance of the target, and records the status once', async () => {
    const { metrics, writer, sync } = setup(4, FAST_SCALE_DOWN);
    metrics.cpuPercent = 5.3; // 53% against 50%: within the 10% tolerance

    for (let t = 0; t < 60; t++) expect((await sync()).result).toBe('unchanged');

    expect(writer.eventsOfType('DeploymentScaled')).toEqual([]);
    expect(writer.eventsOfType('HorizontalPodAutoscalerStatusChanged')).toHaveLength(1);
  });

  it('leaves the scale alone when the monitor does not answer, and says so in ScalingActive', async () => {
    const { state, metrics, writer, sync } = setup(2);
    metrics.failing = true;

    expect((await sync()).result).toBe('unchanged');
    expect((await sync()).result).toBe('unchanged');

    expect(writer.eventsOfType('DeploymentScaled')).toEqual([]);
    const conditions = (state.hpaRecord('web').status as { conditions: { type: string; status: string; reason: string }[] }).conditions;
    expect(conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric' })]));
    expect(writer.eventsOfType('HorizontalPodAutoscalerStatusChanged')).toHaveLength(1);
  });

  it('retries after an expected-version conflict without recording a scale event', async () => {
    const { metrics, writer, sync } = setup(2);
    metrics.cpuPercent = 20;
    writer.conflictNext = true;

    expect((await sync()).result).toBe('conflict');
    expect(await sync()).toMatchObject({ result: 'scaled', desiredReplicas: 6 });
  });

  it('reports a missing scale target once, as AbleToScale False', async () => {
    const state = new PlainState();
    state.hpa('orphan', 'nothing');
    const writer = new FakeWriter(state);
    const controller = new HpaController({
      cluster: state.cluster,
      hpas: state.hpas,
      metrics: new FakeMetrics(() => state.seq.now),
      external: new ExternalMetricsStore(60_000),
      writer,
      settings: { metricsWindowMs: 2_000, hpa: {} },
      clock: () => state.seq.now,
    });

    expect((await controller.syncAll())[0].result).toBe('failed');
    await controller.syncAll();

    expect(writer.eventsOfType('HorizontalPodAutoscalerStatusChanged')).toEqual([
      { streamId: 'hpa:default/orphan', data: { status: expect.objectContaining({ conditions: [expect.objectContaining({ type: 'AbleToScale', status: 'False', reason: 'FailedGetScale' })] }) } },
    ]);
  });

  it('scales on a Pods metric from the service proxy', async () => {
    const { state, metrics, writer, sync } = setup(2, {
      metrics: [{ type: 'Pods', pods: { metric: { name: 'http_request_latency_ms' }, target: { type: 'AverageValue', averageValue: '100' } } }],
    });
    state.push('service:default/web', 'ServiceCreated', { manifest: { spec: { selector: { app: 'web' } } } });
    metrics.services.set('default/web', { latencyMs: 300 });

    expect(await sync()).toMatchObject({ result: 'scaled', currentReplicas: 2, desiredReplicas: 6 });
    expect(metrics.queries.at(-1)).toMatchObject({ kind: 'service', names: ['default/web'], windowSeconds: 2 });
    expect(writer.eventsOfType('DeploymentScaled')).toHaveLength(1);
  });
});
