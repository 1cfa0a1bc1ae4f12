import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { connect, NatsConnection } from 'nats';
import { NodeHeartbeat, NodeReport, NodeStats, RecordedEvent, reportAckSchema, streamIds, Subjects } from '@berth/contracts';
import { metricsAnswerSchema, MetricsQueryInput, readModelEntities, readModelMigrations } from '@berth/read-models';
import { createTestDatabase, TestDatabase, TestNatsServer } from '@berth/testing';
import { loadMonitorConfig } from './app.config';
import { AppModule } from './app.module';
import { LivenessService } from './liveness/liveness.service';
import { StatsService } from './stats/stats.service';

/** Value of one sample of a Prometheus text exposition (labels in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) return Number(match[3]);
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not reached in ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await sleep(25);
  }
}

/** Publishes heartbeats the way a node-agent does, every second. */
class FakeAgent {
  seq = 0;
  lastBeatAt = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly nats: NatsConnection,
    readonly node: string,
    readonly bootId = randomUUID().slice(0, 8),
  ) {}

  beat(overrides: Partial<NodeHeartbeat> = {}): void {
    const heartbeat: NodeHeartbeat = {
      node: this.node,
      bootId: this.bootId,
      seq: this.seq++,
      sentAt: Date.now(),
      address: '127.0.0.2',
      labels: { 'kubernetes.io/hostname': this.node },
      taints: [],
      capacity: { cpuMilli: 2000, memoryBytes: 4 * 2 ** 30 },
      allocatable: { cpuMilli: 1900, memoryBytes: 3 * 2 ** 30 },
      info: { agent: 'fake' },
      replicas: 0,
      ...overrides,
    };
    this.nats.publish(Subjects.nodeHeartbeat(this.node), JSON.stringify(heartbeat));
    this.lastBeatAt = Date.now();
  }

  start(intervalMs = 1_000): void {
    this.beat();
    this.timer = setInterval(() => this.beat(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

describe('monitor (real Postgres, real NATS)', () => {
  let natsServer: TestNatsServer;
  let db: TestDatabase;
  let client: NatsConnection;
  let monitor: INestApplication;
  const apps: INestApplication[] = [];
  const agents: FakeAgent[] = [];

  async function startMonitor(): Promise<INestApplication> {
    const config = loadMonitorConfig({
      DATABASE_URL: db.options.url,
      DATABASE_SCHEMA: db.options.schema,
      NATS_URL: natsServer.url,
      RELAY_ENABLED: 'false',
      LOG_LEVEL: 'error',
      STATS_FLUSH_MS: '50',
      LEASE_RETRY_MS: '200',
    });
    const app = await NestFactory.create(AppModule.forRoot(config), { logger: false, abortOnError: false });
    await app.listen(0, '127.0.0.1');
    apps.push(app);
    return app;
  }

  const agent = (prefix: string) => {
    const a = new FakeAgent(client, `${prefix}-${randomUUID().slice(0, 8)}`);
    agents.push(a);
    return a;
  };
  const nodeEvents = (node: string) => db.store.readStream(streamIds.node(node));
  const types = (events: RecordedEvent[]) => events.map((e) => e.type);
  const metricsText = async (app: INestApplication) => (await fetch(`${await app.getUrl()}/metrics`)).text();
  const request = async (subject: string, body: unknown) => {
    const reply = await client.request(subject, JSON.stringify(body), { timeout: 5_000 });
    return { body: JSON.parse(new TextDecoder().decode(reply.data)) as Record<string, unknown>, code: reply.headers?.get('Nats-Service-Error-Code') };
  };

  beforeAll(async () => {
    natsServer = await TestNatsServer.start();
    db = await createTestDatabase('monitor', { entities: readModelEntities, migrations: readModelMigrations });
    client = await connect({ servers: natsServer.url });
    monitor = await startMonitor();
    await eventually(async () => monitor.get(LivenessService).isLeader, Boolean);
  });

  afterAll(async () => {
    for (const a of agents) a.stop();
    for (const app of apps) await app.close().catch(() => undefined);
    await client?.close();
    await db?.cleanup();
    await natsServer?.dispose();
  });

  describe('node liveness from heartbeats', () => {
    it('registers a node on its first heartbeat, declares it ready, and keeps quiet while it beats', async () => {
      const a = agent('live');
      a.start();
      const events = await eventually(() => nodeEvents(a.node), (e) => e.length >= 2);
      expect(types(events)).toEqual(['NodeRegistered', 'NodeReady']);
      expect(events[0].data).toMatchObject({ address: '127.0.0.2', bootId: a.bootId, labels: { 'kubernetes.io/hostname': a.node } });
      expect(events[0].metadata).toMatchObject({ actor: 'monitor' });
      await sleep(2_500);
      expect(types(await nodeEvents(a.node))).toEqual(['NodeRegistered', 'NodeReady']);
      a.stop();
    });

    it('declares a node that stops heartbeating NotReady, then Lost within 3 s, and Ready again when it returns', async () => {
      const a = agent('dies');
      a.start();
      await eventually(() => nodeEvents(a.node), (e) => e.length >= 2);
      a.stop();
      const silentSince = a.lastBeatAt;
      const lost = await eventually(() => nodeEvents(a.node), (e) => types(e).includes('NodeLost'), 6_000);
      const lostAt = Date.now();
      expect(types(lost)).toEqual(['NodeRegistered', 'NodeReady', 'NodeNotReady', 'NodeLost']);
      expect(lost[3].recordedAt.getTime() - silentSince).toBeLessThan(3_000);
      expect(lostAt - silentSince).toBeLessThan(3_200);
      expect(lost[2].recordedAt.getTime() - silentSince).toBeGreaterThanOrEqual(1_700);

      // The read model follows, and /metrics counts it.
      await eventually(
        () => db.pool.query(`SELECT condition FROM "${db.options.schema}".nodes WHERE name = $1`, [a.node]),
        (r) => r.rows[0]?.condition === 'Lost',
      );
      expect(sample(await metricsText(monitor), 'berth_nodes', { condition: 'Lost' })).toBeGreaterThanOrEqual(1);

      a.beat();
      const back = await eventually(() => nodeEvents(a.node), (e) => e.length >= 5);
      expect(types(back)).toEqual(['NodeRegistered', 'NodeReady', 'NodeNotReady', 'NodeLost', 'NodeReady']);
    });

    it('re-registers a node whose agent restarted with a new boot id', async () => {
      const a = agent('reboot');
      a.beat();
      await eventually(() => nodeEvents(a.node), (e) => e.length >= 2);
      const rebooted = new FakeAgent(client, a.node, 'second-boot');
      rebooted.beat({ labels: { zone: 'b' } });
      const events = await eventually(() => nodeEvents(a.node), (e) => e.length >= 3);
      expect(types(events)).toEqual(['NodeRegistered', 'NodeReady', 'NodeRegistered']);
      expect(events[2].data).toMatchObject({ bootId: 'second-boot', labels: { zone: 'b' } });
    });

    it('ignores a heartbeat sent on another node\'s subject', async () => {
      const node = `spoof-${randomUUID().slice(0, 8)}`;
      const heartbeat = { node, bootId: 'b', seq: 0, sentAt: Date.now(), address: '127.0.0.2', capacity: { cpuMilli: 1, memoryBytes: 1 }, allocatable: { cpuMilli: 1, memoryBytes: 1 }, replicas: 0 };
      client.publish(Subjects.nodeHeartbeat('someone-else'), JSON.stringify(heartbeat));
      await client.flush();
      await sleep(300);
      expect(await nodeEvents(node)).toEqual([]);
      expect(await nodeEvents('someone-else')).toEqual([]);
    });
  });

  describe('reports -> replica events', () => {
    async function createReplica(node: string): Promise<string> {
      const uid = randomUUID();
      await db.store.append(streamIds.replica(uid), 'no_stream', [
        { type: 'ReplicaCreated', data: { namespace: 'default', deployment: 'web', revision: 1, templateHash: 'abc', template: {} } },
        { type: 'ReplicaScheduled', data: { node } },
      ]);
      return uid;
    }
    const report = (node: string, replicaUid: string, overrides: Partial<NodeReport> = {}): NodeReport => ({
      reportId: randomUUID(),
      node,
      replicaUid,
      kind: 'started',
      at: Date.now(),
      containerId: 'c0ffee',
      hostIp: '127.0.0.2',
      hostPorts: { '80': 20080 },
      ...overrides,
    });

    it('records a report once even when it is sent twice, and acks both times with its position', async () => {
      const node = `rep-${randomUUID().slice(0, 8)}`;
      const uid = await createReplica(node);
      const started = report(node, uid);
      const first = await request(Subjects.nodeReport(node), started);
      const second = await request(Subjects.nodeReport(node), started);
      const ack = reportAckSchema.parse(first.body);
      expect(ack).toMatchObject({ reportId: started.reportId, recorded: true });
      expect(second.body).toEqual(first.body);
      const events = await db.store.readStream(streamIds.replica(uid));
      expect(types(events)).toEqual(['ReplicaCreated', 'ReplicaScheduled', 'ReplicaStarted']);
      expect(events[2]).toMatchObject({
        eventId: started.reportId,
        globalPosition: ack.globalPosition,
        data: { node, containerId: 'c0ffee', hostIp: '127.0.0.2', hostPorts: { '80': 20080 } },
        metadata: { actor: `node:${node}`, causationId: started.reportId },
      });

      for (const kind of ['ready', 'notReady', 'ready'] as const) await request(Subjects.nodeReport(node), report(node, uid, { kind }));
      await request(Subjects.nodeReport(node), report(node, uid, { kind: 'exited', exitCode: 137, reason: 'OOMKilled', restartCount: 1 }));
      await request(Subjects.nodeReport(node), report(node, uid, { kind: 'started' }));
      expect(types(await db.store.readStream(streamIds.replica(uid))).slice(2)).toEqual([
        'ReplicaStarted',
        'ReplicaReady',
        'ReplicaNotReady',
        'ReplicaReady',
        'ReplicaExited',
        'ReplicaStarted',
      ]);
      // /metrics follows the log: the replica is running again after one restart.
      const text = await eventually(() => metricsText(monitor), (t) => (sample(t, 'berth_replica_restarts_total') ?? 0) >= 1);
      expect(sample(text, 'berth_replicas', { phase: 'Running' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'berth_monitor_report_duration_seconds_count', { kind: 'started', outcome: 'recorded' })).toBeGreaterThanOrEqual(2);
      expect(sample(text, 'berth_monitor_heartbeat_lag_seconds_count')).toBeGreaterThanOrEqual(1);
    });

    it('rejects a report whose node is not the node of the subject, and appends nothing', async () => {
      const victim = `victim-${randomUUID().slice(0, 8)}`;
      const uid = await createReplica(victim);
      const head = await db.store.headPosition();
      const reply = await request(Subjects.nodeReport('mallory'), report(victim, uid));
      expect(reply.code).toBe('403');
      expect(reply.body).toMatchObject({ error: { code: 403, reason: 'NodeMismatch', issues: [{ field: 'node' }] } });
      expect(await db.store.headPosition()).toBe(head);
      expect(await db.store.readStream(streamIds.replica(uid))).toHaveLength(2);
    });

    it('rejects an invalid report naming the fields, and appends nothing', async () => {
      const node = `bad-${randomUUID().slice(0, 8)}`;
      const uid = await createReplica(node);
      const head = await db.store.headPosition();
      const invalid = await request(Subjects.nodeReport(node), { ...report(node, uid), reportId: 'not-a-uuid', kind: 'exploded' });
      expect(invalid.code).toBe('400');
      const issues = (invalid.body as { error: { issues: { field: string }[] } }).error.issues.map((i) => i.field);
      expect(issues).toEqual(expect.arrayContaining(['reportId', 'kind']));
      const incomplete = await request(Subjects.nodeReport(node), report(node, uid, { kind: 'exited' }));
      expect(incomplete.body).toMatchObject({ error: { code: 400, reason: 'InvalidReport', issues: [{ field: 'exitCode' }] } });
      const notJson = await client.request(Subjects.nodeReport(node), '{', { timeout: 5_000 });
      expect(notJson.headers?.get('Nats-Service-Error-Code')).toBe('400');
      expect(await db.store.headPosition()).toBe(head);
    });

    it('acknowledges a report about a replica the log never created without recording it', async () => {
      const node = `orphan-${randomUUID().slice(0, 8)}`;
      const head = await db.store.headPosition();
      const unknown = report(node, randomUUID(), { kind: 'stopped' });
      const reply = await request(Subjects.nodeReport(node), unknown);
      expect(reply.body).toEqual({ reportId: unknown.reportId, recorded: false });
      expect(await db.store.headPosition()).toBe(head);
    });
  });

  describe('stats -> metrics store', () => {
    it('stores usage samples and answers berth.metrics.query', async () => {
      const node = `stats-${randomUUID().slice(0, 8)}`;
      const [r1, r2] = [randomUUID(), randomUUID()];
      for (let i = 0; i < 3; i++) {
        const stats: NodeStats = {
          node,
          at: Date.now() - (3 - i) * 1_000,
          replicas: [
            { uid: r1, cpuPercent: 10 * (i + 1), memoryBytes: 1_000_000 },
            { uid: r2, cpuPercent: 5, memoryBytes: 2_000_000 },
          ],
          services: [],
        };
        client.publish(Subjects.nodeStats(node), JSON.stringify(stats));
      }
      // Another node may not publish stats in this node's name.
      client.publish(Subjects.nodeStats(node), JSON.stringify({ node: 'elsewhere', at: Date.now(), replicas: [{ uid: r1, cpuPercent: 999, memoryBytes: 1 }] }));
      await client.flush();
      await eventually(
        () => db.pool.query(`SELECT count(*)::int AS n FROM "${db.options.schema}".replica_metrics WHERE node = $1`, [node]),
        (r) => r.rows[0].n === 6,
      );
      const query: MetricsQueryInput = { kind: 'replica', names: [r1, r2], windowSeconds: 60, aggregate: 'avg' };
      const answer = metricsAnswerSchema.parse((await request(Subjects.metricsQuery, query)).body);
      expect(answer.source).toBe('raw');
      expect(answer.items).toEqual(
        [
          { name: r1, samples: 3, cpuPercent: 20, memoryBytes: 1_000_000 },
          { name: r2, samples: 3, cpuPercent: 5, memoryBytes: 2_000_000 },
        ].sort((x, y) => x.name.localeCompare(y.name)),
      );
      const byNode = metricsAnswerSchema.parse((await request(Subjects.metricsQuery, { kind: 'node', names: [node], windowSeconds: 60, aggregate: 'max' })).body);
      expect(byNode.items).toEqual([{ name: node, samples: 3, cpuPercent: 35, memoryBytes: 3_000_000 }]);
      const bad = await request(Subjects.metricsQuery, { kind: 'pods', windowSeconds: -1 });
      expect(bad.code).toBe('400');
      // The rollup job runs without error on live data.
      await monitor.get(StatsService).rollup();
    });

    it("stores the service proxy's HTTP samples and answers service queries with rate, errors and latency", async () => {
      const node = `svc-${randomUUID().slice(0, 8)}`;
      const service = `default/api-${randomUUID().slice(0, 6)}`;
      for (let i = 0; i < 2; i++) {
        const stats: NodeStats = {
          node,
          at: Date.now() - (2 - i) * 1_000,
          replicas: [],
          services: [{ service, windowSeconds: 5, requests: 100, errors: 5 * i, latencyAvgMs: 10, latencyP95Ms: 20, latencyMaxMs: 40 }],
        };
        client.publish(Subjects.nodeStats(node), JSON.stringify(stats));
      }
      await client.flush();
      await eventually(
        () => db.pool.query(`SELECT count(*)::int AS n FROM "${db.options.schema}".service_metrics WHERE node = $1`, [node]),
        (r) => r.rows[0].n === 2,
      );
      const answer = metricsAnswerSchema.parse((await request(Subjects.metricsQuery, { kind: 'service', names: [service], windowSeconds: 50, aggregate: 'avg' })).body);
      expect(answer.items).toHaveLength(1);
      expect(answer.items[0]).toMatchObject({ name: service, requestsPerSecond: 4, latencyMs: 10 });
      expect(answer.items[0].errorRate).toBeCloseTo(0.025);
    });
  });

  describe('two monitor copies', () => {
    it('lets only the lease holder judge liveness, and the other take over when it stops', async () => {
      const second = await startMonitor();
      const copies = [monitor, second];
      await sleep(600);
      expect(copies.map((app) => app.get(LivenessService).isLeader)).toEqual([true, false]);

      const a = agent('pair');
      a.start();
      await eventually(() => nodeEvents(a.node), (e) => e.length >= 2);
      a.stop();
      await eventually(() => nodeEvents(a.node), (e) => types(e).includes('NodeLost'), 6_000);
      await sleep(1_000);
      expect(types(await nodeEvents(a.node))).toEqual(['NodeRegistered', 'NodeReady', 'NodeNotReady', 'NodeLost']);
      const [leaderText, standbyText] = await Promise.all([metricsText(monitor), metricsText(second)]);
      expect(sample(leaderText, 'berth_monitor_liveness_leader')).toBe(1);
      expect(sample(standbyText, 'berth_monitor_liveness_leader')).toBe(0);
      expect(sample(standbyText, 'berth_monitor_node_transitions_total', { type: 'NodeLost' })).toBeUndefined();
      expect(sample(leaderText, 'berth_monitor_node_transitions_total', { type: 'NodeLost' })).toBeGreaterThanOrEqual(1);

      // The leader stops: its lease is released and the standby takes over with a fresh grace period.
      await monitor.close();
      await eventually(async () => second.get(LivenessService).isLeader, Boolean, 5_000);
      const b = agent('after');
      b.start();
      await eventually(() => nodeEvents(b.node), (e) => e.length >= 2);
      b.stop();
      await eventually(() => nodeEvents(b.node), (e) => types(e).includes('NodeLost'), 6_000);
      expect(types(await nodeEvents(b.node))).toEqual(['NodeRegistered', 'NodeReady', 'NodeNotReady', 'NodeLost']);
      // Nodes it inherited were not re-judged twice: node `a` is still exactly Lost once.
      expect(types(await nodeEvents(a.node)).filter((t) => t === 'NodeLost')).toHaveLength(1);
    });
  });
});
