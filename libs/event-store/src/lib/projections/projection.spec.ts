import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@berth/contracts';
import { createTestDatabase, TestDatabase } from '@berth/testing';
import { Projection, ProjectionRunner } from './projection';

/** A read model: desired replicas per deployment stream, and how many events touched it. */
class ReplicaCountProjection implements Projection {
  constructor(
    readonly name: string,
    private readonly table: string,
    private readonly failAt?: number,
  ) {}

  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM ${this.table}`);
  }

  async apply(event: RecordedEvent, manager: EntityManager): Promise<void> {
    if (event.globalPosition === this.failAt) throw new Error('crash in the middle of a batch');
    if (event.type !== 'DeploymentScaled') return;
    const replicas = (event.data as { replicas: number }).replicas;
    await manager.query(
      `INSERT INTO ${this.table} (stream_id, replicas, touched) VALUES ($1, $2, 1)
       ON CONFLICT (stream_id) DO UPDATE SET replicas = EXCLUDED.replicas, touched = ${this.table}.touched + 1`,
      [event.streamId, replicas],
    );
  }
}

describe('ProjectionRunner (real Postgres)', () => {
  let db: TestDatabase;
  let table: string;

  beforeAll(async () => {
    db = await createTestDatabase('proj');
    table = `"${db.options.schema}".replica_counts`;
    await db.pool.query(`CREATE TABLE ${table} (stream_id text PRIMARY KEY, replicas int NOT NULL, touched int NOT NULL)`);
  });
  afterAll(async () => {
    await db.cleanup();
  });

  const snapshot = async () => (await db.pool.query(`SELECT * FROM ${table} ORDER BY stream_id`)).rows;

  it('keeps a live read model that equals one rebuilt from position 0', async () => {
    const runner = new ProjectionRunner(db.dataSource, db.store, new ReplicaCountProjection('counts', table), 50);
    const live = runner.start({ listenUrl: db.options.url });
    for (let i = 0; i < 300; i++) {
      await db.store.append(`deployment:default/d${i % 17}`, 'any', [{ type: 'DeploymentScaled', data: { replicas: i } }]);
    }
    const head = await db.store.headPosition();
    const deadline = Date.now() + 10_000;
    while ((await runner.checkpoint()) < head && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await live.stop();
    expect(await runner.checkpoint()).toBe(head);
    const liveRows = await snapshot();
    expect(liveRows).toHaveLength(17);
    expect(liveRows.reduce((sum: number, row: { touched: number }) => sum + row.touched, 0)).toBe(300);

    await runner.rebuild();
    expect(await snapshot()).toEqual(liveRows);
  });

  it('neither loses nor doubles an event when a batch fails half-way', async () => {
    const name = `crash-${randomUUID()}`;
    const otherTable = `"${db.options.schema}".crash_counts`;
    await db.pool.query(`CREATE TABLE ${otherTable} (stream_id text PRIMARY KEY, replicas int NOT NULL, touched int NOT NULL)`);
    const base = await db.store.headPosition();
    for (let i = 0; i < 20; i++) await db.store.append('deployment:default/crash', 'any', [{ type: 'DeploymentScaled', data: { replicas: i } }]);
    const crashing = new ProjectionRunner(db.dataSource, db.store, new ReplicaCountProjection(name, otherTable, base + 15), 10);
    await expect(crashing.catchUp()).rejects.toThrow('crash');
    // Batches before the failing one committed with their checkpoint; the failed batch left nothing.
    const reached = await crashing.checkpoint();
    expect(reached).toBeLessThan(base + 15);
    expect(reached).toBeGreaterThanOrEqual(base + 5);
    const healthy = new ProjectionRunner(db.dataSource, db.store, new ReplicaCountProjection(name, otherTable), 10);
    await healthy.catchUp();
    const crashRow = (await db.pool.query(`SELECT * FROM ${otherTable} WHERE stream_id = 'deployment:default/crash'`)).rows;
    expect(crashRow).toEqual([{ stream_id: 'deployment:default/crash', replicas: 19, touched: 20 }]);
    const total = await db.pool.query(`SELECT sum(touched)::int AS n FROM ${otherTable}`);
    const inLog = await db.pool.query(`SELECT count(*)::int AS n FROM "${db.options.schema}".events WHERE type = 'DeploymentScaled'`);
    expect(total.rows[0].n).toBe(inLog.rows[0].n);
  });
});
