import { Logger } from '@nestjs/common';
import { connect, NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import { templateHash } from '@berth/cluster-state';
import { MetricsAnswer, metricsQuerySchema, parseMessage, RecordedEvent, Subjects } from '@berth/contracts';
import { EventStore } from '@berth/event-store';
import { createTestDatabase, TestDatabase, TestNatsServer } from '@berth/testing';
import { AutoscalerRuntime, AutoscalerSettings } from './runtime/autoscaler.runtime';
import { deploymentManifest, hpaManifest } from './testing/autoscaler.fixture';

jest.setTimeout(60_000);

const SYNC_MS = 200;
const SCALE_DOWN_WINDOW_S = 3;
const SETTINGS: AutoscalerSettings = {
  syncPeriodMs: SYNC_MS,
  metricsWindowMs: 2 * SYNC_MS,
  metricsTimeoutMs: 1_000,
  externalMetricMaxAgeMs: 60_000,
  leaseRetryMs: 50,
  leaseCheckMs: 200,
  hpa: {},
};

async function readLog(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll(events.at(-1)?.globalPosition ?? 0, 5_000);
    events.push(...page);
    if (page.length < 5_000) return events;
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('autoscaler against Postgres and NATS', () => {
  let natsServer: TestNatsServer;
  let db: TestDatabase;
  let nats: NatsConnection;
  let runtime: AutoscalerRuntime;
  /** cpu percent of one core each replica reports; the test plays the monitor. */
  let cpuPercent = 0;

  beforeAll(async () => {
    Logger.overrideLogger(['error', 'warn']);
    natsServer = await TestNatsServer.start();
    db = await createTestDatabase('autoscl');
    nats = await connect({ servers: natsServer.url });
    nats.subscribe(Subjects.metricsQuery, {
      callback: (_error, msg) => {
        const query = parseMessage(metricsQuerySchema, msg.subject, msg.data);
        const answer: MetricsAnswer = {
          kind: query.kind,
          aggregate: query.aggregate,
          windowSeconds: query.windowSeconds,
          source: 'raw',
          at: Date.now(),
          items: query.kind === 'replica' ? query.names.map((name) => ({ name, samples: 5, cpuPercent, memoryBytes: 10_000_000 })) : [],
        };
        msg.respond(JSON.stringify(answer));
      },
    });
  });

  afterAll(async () => {
    await runtime?.stop();
    await nats?.drain().catch(() => undefined);
    await db?.cleanup();
    await natsServer?.dispose();
  });

  const manifest = deploymentManifest('web', { replicas: 2, requests: { cpu: '100m' } });
  const template = (manifest['spec'] as { template: Record<string, unknown> }).template;
  let replicaCount = 0;

  /** Plays the scheduler and the agent: a replica created, started and ready. */
  async function readyReplica(): Promise<string> {
    const uid = `web-${++replicaCount}`;
    await db.store.append(`replica:${uid}`, 'no_stream', [
      { type: 'ReplicaCreated', data: { namespace: 'default', deployment: 'web', revision: 1, templateHash: templateHash(template), template } },
      { type: 'ReplicaScheduled', data: { node: 'n1' } },
      { type: 'ReplicaStarted', data: { node: 'n1', containerId: `c-${uid}`, hostPorts: {}, hostIp: '127.0.0.1' } },
      { type: 'ReplicaReady', data: { node: 'n1' } },
    ]);
    return uid;
  }

  async function scaledEvents(): Promise<RecordedEvent[]> {
    return (await readLog(db.store)).filter((e) => e.type === 'DeploymentScaled');
  }

  it('scales out on load within two sync periods, scales in only after the stabilization window, and does not flap near the target', async () => {
    await db.store.append('deployment:default/web', 'no_stream', [{ type: 'DeploymentCreated', data: { manifest } }]);
    const uids = [await readyReplica(), await readyReplica()];
    await db.store.append('hpa:default/web', 'no_stream', [
      {
        type: 'HorizontalPodAutoscalerCreated',
        data: { manifest: hpaManifest('web', 'web', { behavior: { scaleDown: { stabilizationWindowSeconds: SCALE_DOWN_WINDOW_S } } }) },
      },
    ]);
    cpuPercent = 20; // 200m of 100m requested: 200% against 50%

    runtime = new AutoscalerRuntime({ store: db.store, nats, databaseUrl: db.options.url, registry: new Registry(), settings: SETTINGS });
    await runtime.start();
    const started = Date.now();
    await waitFor('the lease', async () => (runtime.isLeader ? true : undefined));

    // Scale out.
    const up = await waitFor('a scale-up', async () => (await scaledEvents())[0]);
    expect(Date.now() - started).toBeLessThan(2 * SYNC_MS + 1_000); // lease pick-up included
    expect(up.data).toMatchObject({ replicas: 6 });
    const decided = (await readLog(db.store)).filter((e) => e.type === 'HorizontalPodAutoscalerDecided');
    expect(decided).toHaveLength(1);
    expect(decided[0]).toMatchObject({ streamId: 'hpa:default/web', data: { currentReplicas: 2, desiredReplicas: 6 } });
    expect(decided[0].globalPosition).toBe(up.globalPosition + 1); // one append, both streams

    // Low load: the scheduler brings the new replicas up, but the old recommendations hold the size for the window.
    cpuPercent = 2;
    const lowSince = Date.now();
    for (let i = 0; i < 4; i++) uids.push(await readyReplica());
    const down = await waitFor('a scale-down', async () => (await scaledEvents())[1], 15_000);
    expect(Date.now() - lowSince).toBeGreaterThanOrEqual(SCALE_DOWN_WINDOW_S * 1000 - 2 * SYNC_MS);
    expect(down.data).toMatchObject({ replicas: 3 }); // 6 x 20% / 50%, rounded up

    // The scheduler removes three replicas; load settles near the target (52%, inside the 10% tolerance).
    for (const uid of uids.splice(0, 3)) {
      await db.store.append(`replica:${uid}`, 'any', [
        { type: 'ReplicaDeletionRequested', data: { reason: 'ScaledDown' } },
        { type: 'ReplicaDeleted', data: { reason: 'ScaledDown' } },
      ]);
    }
    cpuPercent = 5.2;
    await new Promise((resolve) => setTimeout(resolve, 12 * SYNC_MS));
    expect(await scaledEvents()).toHaveLength(2);
    expect(runtime.lastOutcomes).toEqual([expect.objectContaining({ result: 'unchanged', currentReplicas: 3, desiredReplicas: 3 })]);

    const statuses = (await readLog(db.store)).filter((e) => e.type === 'HorizontalPodAutoscalerStatusChanged');
    expect(statuses.at(-1)?.data).toMatchObject({ status: { currentReplicas: 3, desiredReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 52 } } }] } });
  });
});
