import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { InvalidEvent, NewEvent, RecordedEvent } from '@berth/contracts';
import { createTestDatabase, TestDatabase } from '@berth/testing';
import { IdempotencyConflict, WrongExpectedVersion } from './errors';

const scaled = (replicas: number, eventId?: string): NewEvent => ({ type: 'DeploymentScaled', data: { replicas }, eventId });

describe('EventStore (real Postgres)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('es');
  });
  afterAll(async () => {
    await db.cleanup();
  });

  it('appends atomically with expected versions and reads a stream back', async () => {
    const stream = `deployment:default/web-${randomUUID()}`;
    const first = await db.store.append(stream, 'no_stream', [scaled(1), scaled(2)]);
    expect(first.events.map((e) => e.streamVersion)).toEqual([0, 1]);
    expect(first.events[1].globalPosition).toBeGreaterThan(first.events[0].globalPosition);
    await db.store.append(stream, 1, [scaled(3)]);
    await db.store.append(stream, 'any', [scaled(4)]);
    const events = await db.store.readStream(stream);
    expect(events.map((e) => (e.data as { replicas: number }).replicas)).toEqual([1, 2, 3, 4]);
    expect(await db.store.streamVersion(stream)).toBe(3);
    await expect(db.store.append(stream, 'no_stream', [scaled(5)])).rejects.toBeInstanceOf(WrongExpectedVersion);
    await expect(db.store.append(stream, 1, [scaled(5)])).rejects.toMatchObject({ expected: 1, actual: 3 });
  });

  it('tells which of many streams exist in one query', async () => {
    const base = `deployment:default/exists-${randomUUID()}`;
    await db.store.append(`${base}-a`, 'no_stream', [scaled(1), scaled(2)]);
    await db.store.append(`${base}-c`, 'no_stream', [scaled(1)]);
    const found = await db.store.existingStreams([`${base}-a`, `${base}-b`, `${base}-c`, `${base}-a`]);
    expect([...found].sort()).toEqual([`${base}-a`, `${base}-c`]);
    expect(await db.store.existingStreams([])).toEqual(new Set());
  });

  it('lets exactly one of two appends with the same expected version win', async () => {
    const stream = `deployment:default/race-${randomUUID()}`;
    await db.store.append(stream, 'no_stream', [scaled(1)]);
    const results = await Promise.allSettled([db.store.append(stream, 0, [scaled(2)]), db.store.append(stream, 0, [scaled(3)])]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].reason).toBeInstanceOf(WrongExpectedVersion);
    expect(await db.store.readStream(stream)).toHaveLength(2);
  });

  it('treats a retried append with the same event ids as a no-op returning the first result', async () => {
    const stream = `replica:${randomUUID()}`;
    const ids = [randomUUID(), randomUUID()];
    const events: NewEvent[] = [
      { type: 'ReplicaScheduled', eventId: ids[0], data: { node: 'n1' } },
      { type: 'ReplicaReady', eventId: ids[1], data: { node: 'n1' } },
    ];
    const first = await db.store.append(stream, 'no_stream', events);
    const head = await db.store.headPosition();
    const retry = await db.store.append(stream, 'no_stream', events);
    expect(retry.deduplicated).toBe(true);
    expect(retry.events).toEqual(first.events);
    expect(await db.store.headPosition()).toBe(head);
    await expect(
      db.store.append(stream, 'any', [events[0], { type: 'ReplicaReady', eventId: randomUUID(), data: { node: 'n1' } }]),
    ).rejects.toBeInstanceOf(IdempotencyConflict);
    expect(await db.store.readStream(stream)).toHaveLength(2);
  });

  it('writes nothing of a multi-stream append when one stream is at the wrong version', async () => {
    const a = `deployment:default/a-${randomUUID()}`;
    const b = `deployment:default/b-${randomUUID()}`;
    await db.store.append(b, 'no_stream', [scaled(1)]);
    await expect(
      db.store.appendMany([
        { streamId: a, expected: 'no_stream', events: [scaled(1)] },
        { streamId: b, expected: 'no_stream', events: [scaled(2)] },
      ]),
    ).rejects.toBeInstanceOf(WrongExpectedVersion);
    expect(await db.store.readStream(a)).toHaveLength(0);
  });

  it('group-commits concurrent appends while failing only the one at the wrong version', async () => {
    const base = `deployment:default/group-${randomUUID()}`;
    await db.store.append(`${base}-taken`, 'no_stream', [scaled(1)]);
    const attempts = Array.from({ length: 20 }, (_, i) =>
      i === 7 ? db.store.append(`${base}-taken`, 'no_stream', [scaled(2)]) : db.store.append(`${base}-${i}`, 'no_stream', [scaled(i), scaled(i)]),
    );
    const results = await Promise.allSettled(attempts);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect((results[7] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersion);
    for (let i = 0; i < 20; i++) if (i !== 7) expect(await db.store.streamVersion(`${base}-${i}`)).toBe(1);
    expect(await db.store.readStream(`${base}-taken`)).toHaveLength(1);
  });

  it('sees earlier requests of the same append when one stream appears twice', async () => {
    const stream = `deployment:default/twice-${randomUUID()}`;
    const result = await db.store.appendMany([
      { streamId: stream, expected: 'no_stream', events: [scaled(1)] },
      { streamId: stream, expected: 0, events: [scaled(2)] },
    ]);
    expect(result.events.map((e) => e.streamVersion)).toEqual([0, 1]);
  });

  it('rejects a payload that fails its schema before it reaches the database', async () => {
    const head = await db.store.headPosition();
    const stream = `deployment:default/bad-${randomUUID()}`;
    await expect(db.store.append(stream, 'any', [{ type: 'DeploymentScaled', data: { replicas: -1 } }])).rejects.toBeInstanceOf(InvalidEvent);
    await expect(db.store.append(stream, 'any', [{ type: 'NoSuchEvent', data: {} }])).rejects.toThrow('unknown event type');
    await expect(db.store.append('no-category', 'any', [scaled(1)])).rejects.toThrow('invalid stream id');
    expect(await db.store.headPosition()).toBe(head);
  });

  it('is append-only in the database itself: UPDATE, DELETE and TRUNCATE fail', async () => {
    await db.store.append(`deployment:default/ro-${randomUUID()}`, 'any', [scaled(1)]);
    const table = `"${db.options.schema}".events`;
    await expect(db.pool.query(`UPDATE ${table} SET type = 'X'`)).rejects.toThrow(/append-only: UPDATE/);
    await expect(db.pool.query(`DELETE FROM ${table}`)).rejects.toThrow(/append-only: DELETE/);
    await expect(db.pool.query(`TRUNCATE ${table}`)).rejects.toThrow(/append-only: TRUNCATE/);
  });

  it('gives a tailing reader every event exactly once, in order, under 8 concurrent writers', async () => {
    const start = await db.store.headPosition();
    const seen: RecordedEvent[] = [];
    const subscription = db.store.subscribe(start, (event) => void seen.push(event), {
      listenUrl: db.options.url,
      batchSize: 37,
    });
    const writers = 8;
    const appendsPerWriter = 40;
    const written: string[] = [];
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < appendsPerWriter; i++) {
          const stream = `replica:w${w}-s${i % 5}`;
          const batch = Array.from({ length: 1 + (i % 3) }, () => ({ ...scaled(i), eventId: randomUUID() }));
          await db.store.append(stream, 'any', batch);
          written.push(...batch.map((e) => e.eventId));
        }
      }),
    );
    const head = await db.store.headPosition();
    await subscription.waitFor(head);
    await subscription.stop();
    const positions = seen.map((e) => e.globalPosition);
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    expect(new Set(positions).size).toBe(positions.length);
    expect(seen.map((e) => e.eventId).sort()).toEqual([...written].sort());
  });

  it('property: any interleaving of concurrent appends is read back complete and in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 }), { minLength: 8, maxLength: 10 }),
        async (writers) => {
          const start = await db.store.headPosition();
          const reads: number[] = [];
          let cursor = start;
          let writing = true;
          // A reader polling as fast as it can while the writers run.
          const reader = (async () => {
            while (writing || cursor < (await db.store.headPosition())) {
              for (const event of await db.store.readAll(cursor, 7)) {
                reads.push(event.globalPosition);
                cursor = event.globalPosition;
              }
            }
          })();
          const appended = await Promise.all(
            writers.map(async (sizes, w) => {
              const positions: number[] = [];
              for (const size of sizes) {
                const result = await db.store.append(
                  `replica:p${w}-${randomUUID()}`,
                  'no_stream',
                  Array.from({ length: size }, () => scaled(size)),
                );
                positions.push(...result.events.map((e) => e.globalPosition));
              }
              return positions;
            }),
          );
          writing = false;
          await reader;
          const expected = appended.flat().sort((x, y) => x - y);
          expect(reads).toEqual(expected);
        },
      ),
      { numRuns: 8 },
    );
  });
});
