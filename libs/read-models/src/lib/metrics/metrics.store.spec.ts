import { createTestDatabase, TestDatabase } from '@berth/testing';
import { readModelEntities, readModelMigrations } from '../read-models';
import { metricsQuerySchema } from '@berth/contracts';
import { MetricsStore, ReplicaSample } from './metrics.store';

const minute = 60_000;

describe('MetricsStore (real Postgres)', () => {
  let db: TestDatabase;
  let store: MetricsStore;
  const now = new Date('2030-01-01T12:00:30Z');
  const ago = (ms: number) => new Date(now.getTime() - ms);

  beforeAll(async () => {
    db = await createTestDatabase('rm_metrics', { entities: readModelEntities, migrations: readModelMigrations });
    store = new MetricsStore(db.pool, db.options.schema, 60);
  });
  afterAll(async () => {
    await db.cleanup();
  });

  const count = async (table: string) => Number((await db.pool.query(`SELECT count(*) AS n FROM "${db.options.schema}".${table}`)).rows[0].n);

  it('answers replica and node windows with avg, max and p95 from raw samples', async () => {
    const samples: ReplicaSample[] = [];
    for (let i = 0; i < 20; i++) {
      const at = ago(i * 1_000);
      // r1 and r2 share node q-a and are sampled together; r3 is alone on q-b.
      samples.push({ replicaUid: 'q-r1', node: 'q-a', at, cpuPercent: i + 1, memoryBytes: 1_000 });
      samples.push({ replicaUid: 'q-r2', node: 'q-a', at, cpuPercent: 10, memoryBytes: 2_000 });
      samples.push({ replicaUid: 'q-r3', node: 'q-b', at, cpuPercent: 50, memoryBytes: 4_000 });
    }
    expect(await store.insertReplicaSamples(samples)).toBe(60);

    const avg = await store.query(metricsQuerySchema.parse({ kind: 'replica', names: ['q-r1', 'q-r2'], windowSeconds: 10, aggregate: 'avg' }), now);
    expect(avg.source).toBe('raw');
    // Window (now-10 s, now]: samples i = 0..9, r1 cpu 1..10.
    expect(avg.items).toEqual([
      { name: 'q-r1', samples: 10, cpuPercent: 5.5, memoryBytes: 1_000 },
      { name: 'q-r2', samples: 10, cpuPercent: 10, memoryBytes: 2_000 },
    ]);
    const max = await store.query(metricsQuerySchema.parse({ kind: 'replica', names: ['q-r1'], windowSeconds: 30, aggregate: 'max' }), now);
    expect(max.items[0]).toMatchObject({ samples: 20, cpuPercent: 20 });
    const p95 = await store.query(metricsQuerySchema.parse({ kind: 'replica', names: ['q-r1'], windowSeconds: 30, aggregate: 'p95' }), now);
    expect(p95.items[0].cpuPercent).toBeCloseTo(19.05, 5);

    const nodes = await store.query(metricsQuerySchema.parse({ kind: 'node', names: ['q-a', 'q-b'], windowSeconds: 10, aggregate: 'max' }), now);
    expect(nodes.items).toEqual([
      { name: 'q-a', samples: 10, cpuPercent: 20, memoryBytes: 3_000 },
      { name: 'q-b', samples: 10, cpuPercent: 50, memoryBytes: 4_000 },
    ]);
    const all = await store.query(metricsQuerySchema.parse({ kind: 'replica', windowSeconds: 10 }), now);
    expect(all.items.map((i) => i.name)).toEqual(expect.arrayContaining(['q-r1', 'q-r2', 'q-r3']));
  });

  it('answers service request rate, error rate and latency', async () => {
    await store.insertServiceSamples([
      { service: 'default/web', node: 'a', at: ago(2_000), windowSeconds: 5, requests: 100, errors: 5, latencyAvgMs: 10, latencyP95Ms: 30, latencyMaxMs: 50 },
      { service: 'default/web', node: 'b', at: ago(4_000), windowSeconds: 5, requests: 300, errors: 15, latencyAvgMs: 20, latencyP95Ms: 40, latencyMaxMs: 90 },
    ]);
    const answer = await store.query(metricsQuerySchema.parse({ kind: 'service', names: ['default/web'], windowSeconds: 10 }), now);
    expect(answer.items).toHaveLength(1);
    expect(answer.items[0].requestsPerSecond).toBeCloseTo(40, 6);
    expect(answer.items[0].errorRate).toBeCloseTo(0.05, 6);
    expect(answer.items[0].latencyMs).toBeCloseTo(17.5, 6);
    const max = await store.query(metricsQuerySchema.parse({ kind: 'service', names: ['default/web'], windowSeconds: 10, aggregate: 'max' }), now);
    expect(max.items[0].latencyMs).toBe(90);
  });

  it('rolls complete minutes up, prunes raw data past retention and answers long windows from rollups', async () => {
    const samples: ReplicaSample[] = [];
    // 3 hours of one sample per 10 s for replica roll-1, cpu = the minute index (0 = the current minute).
    for (let t = 0; t < 180 * minute; t += 10_000) {
      const at = ago(t);
      const minutesAgo = Math.floor(now.getTime() / minute) - Math.floor(at.getTime() / minute);
      samples.push({ replicaUid: 'roll-1', node: 'roll-node', at, cpuPercent: minutesAgo, memoryBytes: 100 });
    }
    await store.insertReplicaSamples(samples);
    const before = await count('replica_metrics');

    const result = await store.rollupAndPrune({ rawMinutes: 60, rollupHours: 2 }, now);
    expect(result).not.toBeNull();
    // Raw rows older than 60 whole minutes are gone; what is left starts at a minute boundary.
    const oldest = (await db.pool.query(`SELECT min(at) AS at FROM "${db.options.schema}".replica_metrics WHERE replica_uid = 'roll-1'`)).rows[0].at as Date;
    expect(oldest.getTime()).toBe(new Date('2030-01-01T11:00:00Z').getTime());
    expect(await count('replica_metrics')).toBeLessThan(before);
    // Rollups: one per complete minute, but only 2 hours of them are kept.
    const rollups = (
      await db.pool.query(
        `SELECT minute, samples, cpu_avg FROM "${db.options.schema}".replica_metrics_1m WHERE replica_uid = 'roll-1' ORDER BY minute`,
      )
    ).rows as { minute: Date; samples: number; cpu_avg: number }[];
    expect(rollups[0].minute.getTime()).toBe(new Date('2030-01-01T10:00:00Z').getTime());
    expect(rollups[rollups.length - 1].minute.getTime()).toBe(new Date('2030-01-01T11:59:00Z').getTime());
    expect(rollups).toHaveLength(120);
    expect(rollups.every((r) => r.samples === 6)).toBe(true);
    const elevenOClock = rollups.find((r) => r.minute.getTime() === new Date('2030-01-01T11:00:00Z').getTime());
    expect(elevenOClock?.cpu_avg).toBe(60);

    // Idempotent: running again changes no rollup.
    await store.rollupAndPrune({ rawMinutes: 60, rollupHours: 2 }, now);
    const again = (await db.pool.query(`SELECT count(*)::int AS n, sum(cpu_avg) AS s FROM "${db.options.schema}".replica_metrics_1m WHERE replica_uid = 'roll-1'`))
      .rows[0];
    expect(again.n).toBe(120);
    expect(Number(again.s)).toBe(rollups.reduce((sum, r) => sum + r.cpu_avg, 0));

    const long = await store.query(metricsQuerySchema.parse({ kind: 'replica', names: ['roll-1'], windowSeconds: 2 * 3600, aggregate: 'max' }), now);
    expect(long.source).toBe('rollup');
    // The window (10:00:30, 12:00:30] holds the minutes 10:01 .. 11:59.
    expect(long.items[0]).toMatchObject({ cpuPercent: 119, samples: 119 * 6 });
  });

  it('skips the rollup while another copy runs it', async () => {
    const other = await db.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`berth-metrics-rollup:${db.options.schema}`]);
      expect(await store.rollupAndPrune({ rawMinutes: 60, rollupHours: 2 }, now)).toBeNull();
      await other.query('COMMIT');
    } finally {
      other.release();
    }
    expect(await store.rollupAndPrune({ rawMinutes: 60, rollupHours: 2 }, now)).not.toBeNull();
  });
});
