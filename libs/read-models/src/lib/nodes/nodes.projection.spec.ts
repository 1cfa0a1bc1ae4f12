import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { NewEvent, streamIds } from '@berth/contracts';
import { ProjectionRunner } from '@berth/event-store';
import { createTestDatabase, TestDatabase } from '@berth/testing';
import { readModelEntities, readModelMigrations } from '../read-models';
import { NodesProjection } from './nodes.projection';
import { NodesReadModel } from './nodes.read-model';

const registered = (address: string, bootId: string, labels: Record<string, string> = {}): NewEvent => ({
  type: 'NodeRegistered',
  data: {
    address,
    bootId,
    labels,
    taints: [],
    capacity: { cpuMilli: 2000, memoryBytes: 4 * 2 ** 30 },
    allocatable: { cpuMilli: 1800, memoryBytes: 3 * 2 ** 30 },
    info: { os: 'linux' },
  },
});
const ready: NewEvent = { type: 'NodeReady', data: {} };
const notReady: NewEvent = { type: 'NodeNotReady', data: { reason: 'HeartbeatMissed' } };
const lost: NewEvent = { type: 'NodeLost', data: { reason: 'HeartbeatTimeout' } };
const cordoned: NewEvent = { type: 'NodeCordoned', data: {} };
const uncordoned: NewEvent = { type: 'NodeUncordoned', data: {} };

describe('nodes read model (real Postgres)', () => {
  let db: TestDatabase;
  let nodes: NodesReadModel;

  beforeAll(async () => {
    db = await createTestDatabase('rm_nodes', { entities: readModelEntities, migrations: readModelMigrations });
    nodes = new NodesReadModel(db.dataSource);
  });
  afterAll(async () => {
    await db.cleanup();
  });

  const snapshot = async () => (await db.pool.query(`SELECT * FROM "${db.options.schema}".nodes ORDER BY name`)).rows;

  it('folds registration, conditions and cordon into one row per node', async () => {
    const runner = new ProjectionRunner(db.dataSource, db.store, new NodesProjection());
    const name = `n-${randomUUID().slice(0, 8)}`;
    const stream = streamIds.node(name);
    await db.store.append(stream, 'no_stream', [registered('127.0.0.2', 'boot-1', { zone: 'a' }), ready]);
    await runner.catchUp();
    const first = await nodes.get(name);
    expect(first).toMatchObject({ name, address: '127.0.0.2', bootId: 'boot-1', labels: { zone: 'a' }, condition: 'Ready', unschedulable: false, streamVersion: 1 });
    const readySince = first?.lastTransitionAt;

    await db.store.append(stream, 1, [cordoned, notReady]);
    await runner.catchUp();
    expect(await nodes.get(name)).toMatchObject({ condition: 'NotReady', conditionReason: 'HeartbeatMissed', unschedulable: true, streamVersion: 3 });

    // A new agent process re-registers: identity changes, registeredAt and the cordon stay.
    await db.store.append(stream, 3, [registered('127.0.0.9', 'boot-2', { zone: 'b' }), ready, ready]);
    await runner.catchUp();
    const again = await nodes.get(name);
    expect(again).toMatchObject({ address: '127.0.0.9', bootId: 'boot-2', labels: { zone: 'b' }, condition: 'Ready', unschedulable: true, streamVersion: 6 });
    expect(again?.registeredAt).toEqual(first?.registeredAt);
    expect(again?.lastTransitionAt.getTime()).toBeGreaterThan(readySince?.getTime() ?? Infinity);

    await db.store.append(stream, 6, [lost, uncordoned]);
    await runner.catchUp();
    expect(await nodes.get(name)).toMatchObject({ condition: 'Lost', conditionReason: 'HeartbeatTimeout', unschedulable: false });
    expect((await nodes.countByCondition()).Lost).toBeGreaterThanOrEqual(1);
  });

  it('ignores events of a node that never registered', async () => {
    const runner = new ProjectionRunner(db.dataSource, db.store, new NodesProjection());
    const name = `ghost-${randomUUID().slice(0, 8)}`;
    await db.store.append(streamIds.node(name), 'no_stream', [cordoned, notReady]);
    await runner.catchUp();
    expect(await nodes.get(name)).toBeNull();
  });

  it('keeps a live read model that equals one rebuilt from position 0', async () => {
    const runner = new ProjectionRunner(db.dataSource, db.store, new NodesProjection(), 7);
    const live = runner.start({ listenUrl: db.options.url });
    const names = Array.from({ length: 9 }, (_, i) => `live-${i}-${randomUUID().slice(0, 6)}`);
    const script = [ready, notReady, ready, cordoned, lost, uncordoned, ready, notReady];
    await Promise.all(
      names.map(async (name, i) => {
        await db.store.append(streamIds.node(name), 'no_stream', [registered(`127.0.1.${i}`, `b${i}`, { n: String(i) })]);
        for (let step = 0; step < 3 + i; step++) {
          const event = step === 4 ? registered(`127.0.2.${i}`, `b${i}-2`, { n: String(i), again: 'yes' }) : script[(step + i) % script.length];
          await db.store.append(streamIds.node(name), 'any', [event]);
        }
      }),
    );
    const head = await db.store.headPosition();
    const deadline = Date.now() + 10_000;
    while ((await runner.checkpoint()) < head && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await live.stop();
    expect(await runner.checkpoint()).toBe(head);
    const liveRows = await snapshot();
    expect(liveRows.filter((row: { name: string }) => names.includes(row.name))).toHaveLength(names.length);

    await runner.rebuild();
    expect(await snapshot()).toEqual(liveRows);
  });

  it('property: the row holds the last condition and registration of any event sequence', async () => {
    const runner = new ProjectionRunner(db.dataSource, db.store, new NodesProjection());
    const step = fc.oneof(
      fc.constant(ready),
      fc.constant(notReady),
      fc.constant(lost),
      fc.constant(cordoned),
      fc.constant(uncordoned),
      fc.record({ address: fc.ipV4(), boot: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 1, maxLength: 8 }) }).map(({ address, boot }) => registered(address, boot)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 0, maxLength: 12 }), async (steps) => {
        const name = `p-${randomUUID().slice(0, 12)}`;
        const events = [registered('127.0.0.1', 'first'), ...steps];
        await db.store.append(streamIds.node(name), 'no_stream', events);
        await runner.catchUp();
        const row = await nodes.get(name);
        const lastCondition = [...events].reverse().find((e) => ['NodeReady', 'NodeNotReady', 'NodeLost'].includes(e.type));
        const expectedCondition = lastCondition ? { NodeReady: 'Ready', NodeNotReady: 'NotReady', NodeLost: 'Lost' }[lastCondition.type] : 'Unknown';
        const lastRegistration = [...events].reverse().find((e) => e.type === 'NodeRegistered');
        const lastCordon = [...events].reverse().find((e) => e.type === 'NodeCordoned' || e.type === 'NodeUncordoned');
        expect(row?.condition).toBe(expectedCondition);
        expect(row?.address).toBe((lastRegistration?.data as { address: string }).address);
        expect(row?.unschedulable).toBe(lastCordon?.type === 'NodeCordoned');
        expect(row?.streamVersion).toBe(events.length - 1);
      }),
      { numRuns: 25 },
    );
  });
});
