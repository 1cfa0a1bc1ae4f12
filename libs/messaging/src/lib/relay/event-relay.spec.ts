import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { AckPolicy, DeliverPolicy, NatsConnection } from 'nats';
import { EVENTS_STREAM, NewEvent } from '@berth/contracts';
import { createTestDatabase, TestDatabase, TestNatsServer } from '@berth/testing';
import { connectNats } from '../nats-connection';
import { EventMessage } from './event-message';
import { EventRelay } from './event-relay';

const scaled = (replicas: number): NewEvent => ({ type: 'DeploymentScaled', data: { replicas } });
const root = join(__dirname, '../../../../..');

/** Every message in the stream, in stream order. */
async function streamContents(nc: NatsConnection): Promise<{ position: number; subject: string; msgId: string; body: EventMessage }[]> {
  const jsm = await nc.jetstreamManager();
  const info = await jsm.streams.info(EVENTS_STREAM);
  const total = info.state.messages;
  const js = nc.jetstream();
  const name = `check-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  await jsm.consumers.add(EVENTS_STREAM, { durable_name: name, ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All });
  const consumer = await js.consumers.get(EVENTS_STREAM, name);
  const out: { position: number; subject: string; msgId: string; body: EventMessage }[] = [];
  while (out.length < total) {
    const batch = await consumer.fetch({ max_messages: 500, expires: 2_000 });
    for await (const m of batch) {
      const body = m.json<EventMessage>();
      out.push({ position: body.globalPosition, subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id') ?? '', body });
    }
  }
  await jsm.consumers.delete(EVENTS_STREAM, name);
  return out;
}

async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function expectExactlyOnceInOrder(contents: { position: number; msgId: string }[], positions: number[]): void {
  expect(contents.map((c) => c.position)).toEqual(positions);
  expect(contents.every((c) => c.msgId === String(c.position))).toBe(true);
}

describe('EventRelay (real Postgres, real NATS JetStream)', () => {
  let db: TestDatabase;
  let server: TestNatsServer;
  let nc: NatsConnection;

  beforeEach(async () => {
    db = await createTestDatabase('relay');
    server = await TestNatsServer.start();
    nc = await connectNats({ url: server.url, name: 'relay-test' });
  });
  afterEach(async () => {
    await nc.close();
    await server.dispose();
    await db.cleanup();
  });

  const allPositions = async () => (await db.store.readAll(0, 100_000)).map((e) => e.globalPosition);

  it('publishes each event once, in order, on berth.events.<category>.<Type> with Nats-Msg-Id', async () => {
    const relay = new EventRelay(db.store, nc, { databaseUrl: db.options.url, batchSize: 7 });
    relay.start();
    await db.store.append('deployment:default/web', 'no_stream', [scaled(1), scaled(2)]);
    await db.store.append('replica:abc', 'no_stream', [{ type: 'ReplicaScheduled', data: { node: 'n1' } }]);
    for (let i = 0; i < 20; i++) await db.store.append('deployment:default/web', 'any', [scaled(i)]);
    const head = await db.store.headPosition();
    await waitUntil(() => relay.stats.position === head, 10_000, 'relay to reach head');
    await relay.stop();
    const contents = await streamContents(nc);
    expectExactlyOnceInOrder(contents, await allPositions());
    expect(contents[0].subject).toBe('berth.events.deployment.DeploymentScaled');
    expect(contents[2].subject).toBe('berth.events.replica.ReplicaScheduled');
    expect(contents[2].body).toMatchObject({ streamId: 'replica:abc', streamVersion: 0, data: { node: 'n1' } });
  });

  it('loses and doubles nothing when NATS restarts in the middle of a stream of appends', async () => {
    const relay = new EventRelay(db.store, nc, { databaseUrl: db.options.url, batchSize: 20, retryMs: 100 });
    relay.start();
    let appending = true;
    const writer = (async () => {
      let i = 0;
      while (appending) {
        await db.store.append(`deployment:default/d${i % 7}`, 'any', [scaled(i++)]);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await waitUntil(() => relay.stats.position > 100, 10_000, 'relay to publish the first events');
    await server.stop();
    await new Promise((r) => setTimeout(r, 700));
    await server.restart();
    await new Promise((r) => setTimeout(r, 700));
    appending = false;
    await writer;
    const head = await db.store.headPosition();
    await waitUntil(() => relay.stats.position === head, 30_000, 'relay to catch up after the restart');
    await relay.stop();
    expectExactlyOnceInOrder(await streamContents(nc), await allPositions());
  });

  it('loses and doubles nothing when the relay process is killed -9 mid-batch, repeatedly', async () => {
    const spawnRelay = (): ChildProcess =>
      spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'relay-process.fixture.ts')], {
        cwd: root,
        env: {
          ...process.env,
          SWC_NODE_PROJECT: join(root, 'tsconfig.base.json'),
          DATABASE_URL: db.options.url,
          DATABASE_SCHEMA: db.options.schema,
          NATS_URL: server.url,
          BATCH_SIZE: '50',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
    for (let i = 0; i < 400; i++) await db.store.append(`replica:r${i % 13}`, 'any', [{ type: 'ReplicaScheduled', data: { node: `n${i}` } }]);
    for (let round = 0; round < 3; round++) {
      const child = spawnRelay();
      // Kill it once it has published something but (almost certainly) not everything.
      await new Promise<void>((resolve) => {
        let buffered = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          const stats = lines.filter((line) => line.startsWith('{"state"')).map((line) => JSON.parse(line) as { published: number });
          if (stats.some((s) => s.published > 0)) resolve();
        });
      });
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      for (let i = 0; i < 100; i++) await db.store.append(`replica:k${round}`, 'any', [{ type: 'ReplicaScheduled', data: { node: 'x' } }]);
    }
    const survivor = new EventRelay(db.store, nc, { databaseUrl: db.options.url, batchSize: 50 });
    survivor.start();
    const head = await db.store.headPosition();
    await waitUntil(() => survivor.stats.position === head, 30_000, 'a new relay to finish');
    await survivor.stop();
    expectExactlyOnceInOrder(await streamContents(nc), await allPositions());
  });

  it('keeps exactly one relay active at a time (lease)', async () => {
    const a = new EventRelay(db.store, nc, { databaseUrl: db.options.url });
    const b = new EventRelay(db.store, nc, { databaseUrl: db.options.url });
    a.start();
    await waitUntil(() => a.isActive, 5_000, 'first relay to take the lease');
    b.start();
    await new Promise((r) => setTimeout(r, 1_200));
    expect(b.isActive).toBe(false);
    await a.stop();
    await waitUntil(() => b.isActive, 5_000, 'second relay to take over');
    await db.store.append('node:n1', 'any', [{ type: 'NodeReady', data: {} }]);
    const head = await db.store.headPosition();
    await waitUntil(() => b.stats.position === head, 5_000, 'second relay to publish');
    await b.stop();
    expectExactlyOnceInOrder(await streamContents(nc), await allPositions());
  });
});
