import { randomBytes } from 'node:crypto';
import { connect, NatsConnection } from 'nats';
import { activeReplicasOf, ClusterState, foldEvents } from '@berth/cluster-state';
import { desiredStateSchema, parseMessage, RecordedEvent, Subjects, validateResource } from '@berth/contracts';
import { EventStore } from '@berth/event-store';
import { createTestDatabase, ServiceProcess, startService, TestDatabase, TestNatsServer, waitForHttp } from '@berth/testing';

jest.setTimeout(120_000);

async function readLog(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll(events.at(-1)?.globalPosition ?? 0, 5_000);
    events.push(...page);
    if (page.length < 5_000) return events;
  }
}

async function state(store: EventStore): Promise<ClusterState> {
  return foldEvents(await readLog(store));
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function deployment(name: string, replicas: number): Record<string, unknown> {
  const result = validateResource({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:latest', ports: [{ containerPort: 80 }] }] } },
    },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.status));
  return result.value as unknown as Record<string, unknown>;
}

describe('scheduler service process', () => {
  let db: TestDatabase;
  let nats: TestNatsServer;
  let nc: NatsConnection;
  const processes: ServiceProcess[] = [];
  const prefix = `e2e${randomBytes(3).toString('hex')}`;
  const nodes = [1, 2, 3].map((i) => `${prefix}-n${i}`);

  beforeAll(async () => {
    db = await createTestDatabase('e2esched');
    nats = await TestNatsServer.start();
    nc = await connect({ servers: nats.url });
    for (const node of nodes) {
      await db.store.append(`node:${node}`, 'no_stream', [
        {
          type: 'NodeRegistered',
          data: { labels: {}, taints: [], capacity: { cpuMilli: 4000, memoryBytes: 8e9 }, allocatable: { cpuMilli: 4000, memoryBytes: 8e9 }, address: '127.0.0.1', info: {} },
        },
        { type: 'NodeReady', data: {} },
      ]);
    }
  });
  afterAll(async () => {
    for (const p of processes) await p.kill();
    await nc.drain().catch(() => undefined);
    await nats.dispose();
    await db.cleanup();
  });

  async function scheduler(): Promise<ServiceProcess> {
    const service = await startService('scheduler', {
      DATABASE_URL: db.options.url,
      DATABASE_SCHEMA: db.options.schema,
      NATS_URL: nats.url,
      LEASE_RETRY_MS: '200',
      LEASE_CHECK_MS: '200',
    });
    processes.push(service);
    await waitForHttp(`http://127.0.0.1:${service.port}/healthz`, service, 60_000);
    return service;
  }

  it('places a deployment, answers nodes over NATS, exposes metrics, and survives restarts and the loss of a copy', async () => {
    const first = await scheduler();
    await db.store.append('deployment:default/web', 'no_stream', [{ type: 'DeploymentCreated', data: { manifest: deployment('web', 3) } }]);
    await eventually('3 replicas bound', async () => {
      const s = await state(db.store);
      const d = s.deployments.get('default/web');
      return !!d && activeReplicasOf(s, d).filter((r) => r.node).length === 3;
    });

    const desiredSets = () =>
      Promise.all(
        nodes.map(async (node) => {
          const reply = await nc.request(Subjects.nodeDesired(node), JSON.stringify({ node, bootId: 'e2e' }), { timeout: 5_000 });
          return parseMessage(desiredStateSchema, Subjects.nodeDesired(node), reply.data);
        }),
      );
    // The scheduler answers from its own fold of the log, which may trail the bindings we just read by a few events.
    await eventually('every node to be offered its replica', async () => (await desiredSets()).every((set) => set.replicas.length === 1));
    const sets = await desiredSets();
    expect(sets.map((s) => s.replicas.length)).toEqual([1, 1, 1]);
    expect(sets[0].replicas[0].containers[0]).toMatchObject({ image: 'nginx:latest', imagePullPolicy: 'Always', ports: [{ containerPort: 80 }] });

    const metrics = await (await fetch(`http://127.0.0.1:${first.port}/metrics`)).text();
    expect(metrics).toMatch(/berth_scheduler_placements_total\{service="scheduler"\} 3/);
    expect(metrics).toContain('berth_scheduler_scheduling_latency_seconds_bucket');
    expect(metrics).toMatch(/berth_scheduler_leader\{service="scheduler"\} 1/);

    // A second copy stands by; killing the first (no clean shutdown) hands the lease over.
    const second = await scheduler();
    const headBefore = await db.store.headPosition();
    await first.kill();
    await db.store.append('deployment:default/web', 'any', [{ type: 'DeploymentScaled', data: { replicas: 6 } }]);
    await eventually('6 replicas bound by the second copy', async () => {
      const s = await state(db.store);
      const d = s.deployments.get('default/web');
      return !!d && activeReplicasOf(s, d).filter((r) => r.node).length === 6;
    });
    expect(await db.store.headPosition()).toBeGreaterThan(headBefore);

    // SIGTERM stops it cleanly; a restarted copy rebuilds the state and appends nothing.
    expect(await second.stop()).toBe(0);
    const head = await db.store.headPosition();
    const third = await scheduler();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await db.store.headPosition()).toBe(head);
    const metricsAfter = await (await fetch(`http://127.0.0.1:${third.port}/metrics`)).text();
    expect(metricsAfter).toMatch(new RegExp(`berth_scheduler_state_position\\{service="scheduler"\\} ${head}`));

    const log = await readLog(db.store);
    const scheduled = new Map<string, number>();
    for (const e of log) if (e.type === 'ReplicaScheduled') scheduled.set(e.streamId, (scheduled.get(e.streamId) ?? 0) + 1);
    expect(scheduled.size).toBe(6);
    expect([...scheduled.values()].every((n) => n === 1)).toBe(true);
    expect(await third.stop()).toBe(0);
  });
});
