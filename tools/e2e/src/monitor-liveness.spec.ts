import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect, NatsConnection } from 'nats';
import { NodeHeartbeat, RecordedEvent, streamIds, Subjects } from '@berth/contracts';
import { createTestDatabase, ServiceProcess, startService, TestDatabase, TestNatsServer, waitForHttp } from '@berth/testing';

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

/** A node-agent reduced to its heartbeat: one message per second on its own subject. */
class FakeAgent {
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  lastBeatAt = 0;
  readonly bootId = randomUUID().slice(0, 8);

  constructor(
    private readonly nats: NatsConnection,
    readonly node: string,
  ) {}

  start(): void {
    const beat = () => {
      const heartbeat: NodeHeartbeat = {
        node: this.node,
        bootId: this.bootId,
        seq: this.seq++,
        sentAt: Date.now(),
        address: '127.0.0.2',
        labels: {},
        taints: [],
        capacity: { cpuMilli: 2000, memoryBytes: 2 ** 32 },
        allocatable: { cpuMilli: 2000, memoryBytes: 2 ** 32 },
        info: {},
        replicas: 0,
      };
      this.nats.publish(Subjects.nodeHeartbeat(this.node), JSON.stringify(heartbeat));
      this.lastBeatAt = Date.now();
    };
    beat();
    this.timer = setInterval(beat, 1_000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** Keeps one core busy for `ms`. */
function burnCpu(ms: number): { child: ChildProcess; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['-e', `const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) x++;`], { stdio: 'ignore' });
  return { child, done: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

function gauge(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : undefined;
}

describe('monitor liveness as real processes (Postgres, NATS)', () => {
  let natsServer: TestNatsServer;
  let db: TestDatabase;
  let client: NatsConnection;
  const services: ServiceProcess[] = [];
  const agents: FakeAgent[] = [];
  const burners: ChildProcess[] = [];

  const types = (events: RecordedEvent[]) => events.map((e) => e.type);
  const nodeEvents = (node: string) => db.store.readStream(streamIds.node(node));
  const agent = (prefix: string) => {
    const a = new FakeAgent(client, `${prefix}-${randomUUID().slice(0, 8)}`);
    agents.push(a);
    return a;
  };
  const startMonitor = async () => {
    const service = await startService('monitor', {
      DATABASE_URL: db.options.url,
      DATABASE_SCHEMA: db.options.schema,
      NATS_URL: natsServer.url,
      RELAY_ENABLED: 'false',
      LEASE_RETRY_MS: '200',
    });
    services.push(service);
    return service;
  };
  const metrics = async (service: ServiceProcess) => (await fetch(`http://127.0.0.1:${service.port}/metrics`)).text();

  beforeAll(async () => {
    natsServer = await TestNatsServer.start();
    db = await createTestDatabase('mon_e2e');
    client = await connect({ servers: natsServer.url });
  });

  afterAll(async () => {
    for (const a of agents) a.stop();
    for (const b of burners) b.kill('SIGKILL');
    await Promise.all(services.map((s) => s.stop()));
    await client?.close();
    await db?.cleanup();
    await natsServer?.dispose();
  });

  it('does not flap nodes while both cores are loaded, and still declares a dead node lost within 3 s', async () => {
    const monitor = await startMonitor();
    await waitForHttp(`http://127.0.0.1:${monitor.port}/healthz`, monitor, 45_000);
    await eventually(() => metrics(monitor), (text) => gauge(text, 'berth_monitor_liveness_leader') === 1);
    const steady = [agent('busy'), agent('busy'), agent('busy')];
    const dying = agent('dying');
    for (const a of [...steady, dying]) a.start();
    await eventually(
      () => Promise.all([...steady, dying].map((a) => nodeEvents(a.node))),
      (all) => all.every((events) => types(events).includes('NodeReady')),
    );

    // Two CPU burners for 8 s: with the jest process, the monitor and NATS, that is more work than cores.
    const load = [burnCpu(8_000), burnCpu(8_000)];
    burners.push(...load.map((l) => l.child));
    await sleep(2_000);
    dying.stop();
    const silentSince = dying.lastBeatAt;
    const lost = await eventually(() => nodeEvents(dying.node), (events) => types(events).includes('NodeLost'), 8_000);
    expect(lost[lost.length - 1].recordedAt.getTime() - silentSince).toBeLessThan(3_000);
    expect(await Promise.all(load.map((l) => l.done))).toEqual([0, 0]);
    await sleep(1_500);

    for (const a of steady) {
      expect(types(await nodeEvents(a.node))).toEqual(['NodeRegistered', 'NodeReady']);
    }
    const text = await metrics(monitor);
    expect(gauge(text, 'berth_monitor_heartbeat_lag_seconds_count')).toBeGreaterThan(20);
    for (const a of steady) a.stop();
  });

  it('lets one of two monitor processes judge, and the other take over when it is killed', async () => {
    const standby = await startMonitor();
    await waitForHttp(`http://127.0.0.1:${standby.port}/healthz`, standby, 45_000);
    const [leader] = services;
    expect(gauge(await metrics(leader), 'berth_monitor_liveness_leader')).toBe(1);
    expect(gauge(await metrics(standby), 'berth_monitor_liveness_leader')).toBe(0);

    const a = agent('pair');
    a.start();
    await eventually(() => nodeEvents(a.node), (events) => types(events).includes('NodeReady'));

    // A crash, not a clean stop: the lease goes with the leader's Postgres connection.
    await leader.kill();
    await eventually(() => metrics(standby), (text) => gauge(text, 'berth_monitor_liveness_leader') === 1, 10_000);
    await sleep(500);
    a.stop();
    await eventually(() => nodeEvents(a.node), (events) => types(events).includes('NodeLost'), 8_000);
    await sleep(1_000);
    expect(types(await nodeEvents(a.node))).toEqual(['NodeRegistered', 'NodeReady', 'NodeNotReady', 'NodeLost']);
  });
});
