import { Pool } from 'pg';
import { NewEvent } from '@berth/contracts';
import { createTestDatabase, TestDatabase } from '@berth/testing';
import { EventStore } from './event-store';

const scheduled = (i: number): NewEvent => ({ type: 'ReplicaScheduled', data: { node: `n${i % 7}` } });

/**
 * The append functions keep one plan per connection (planning for every call cost more than the
 * append). That plan must not be a scan of the whole log: a generic plan made while the log was
 * nearly empty once was, and it stuck to pooled connections while the log grew.
 */
describe('append functions (real Postgres): plans', () => {
  let db: TestDatabase;
  const pools: Pool[] = [];
  const store = () => {
    // One connection that stays open: the plans under test are cached per connection.
    const pool = new Pool({ connectionString: db.options.url, max: 1, idleTimeoutMillis: 0 });
    pools.push(pool);
    return { pool, store: new EventStore(pool, db.options.schema) };
  };
  /** Scans of the events table, once the backends' pending statistics have been flushed. */
  const scans = async () => {
    const result = await db.pool.query<{ seq: string; idx: string }>(
      `SELECT seq_scan AS seq, coalesce(idx_scan, 0) AS idx FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'events'`,
      [db.options.schema],
    );
    return { seq: Number(result.rows[0].seq), idx: Number(result.rows[0].idx) };
  };
  const flushStats = (pool: Pool) => pool.query('SELECT pg_stat_force_next_flush()');
  const backend = async (pool: Pool) => (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;

  beforeAll(async () => {
    db = await createTestDatabase('plans');
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await db.cleanup();
  });

  it('never scans the whole log, however small it was when the connection first appended', async () => {
    const events = `"${db.options.schema}".events`;
    // Statistics of a log of one page (a scan is the cheapest plan there), kept while it grows.
    await db.pool.query(`ALTER TABLE ${events} SET (autovacuum_enabled = false)`);
    const early = store();
    await early.store.append('replica:first', 'no_stream', [scheduled(0)]);
    await db.pool.query(`ANALYZE ${events}`);
    // Enough calls for Postgres to settle on a cached plan for this connection.
    for (let i = 0; i < 12; i++) await early.store.append(`replica:early-${i}`, 'no_stream', [scheduled(i)]);
    const planned = await backend(early.pool);
    // The log grows through the same connection (busy, it keeps its plans: an idle one may have
    // its caches reset by other sessions' catalog changes, and plan again on the large log).
    for (let b = 0; b < 40; b++) {
      await early.store.appendMany(Array.from({ length: 100 }, (_, i) => ({ streamId: `replica:bulk-${b}-${i}`, expected: 'no_stream' as const, events: [scheduled(i)] })));
    }
    await flushStats(early.pool);
    expect(await backend(early.pool)).toBe(planned);
    const before = await scans();
    for (let i = 0; i < 20; i++) await early.store.append(`replica:late-${i}`, 'no_stream', [scheduled(i)]);
    await flushStats(early.pool);
    let after = await scans();
    for (let tries = 0; after.idx < before.idx + 20 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await scans();
    }
    // Each append looked its event ids and its stream up by index, and scanned nothing.
    expect(after.idx).toBeGreaterThanOrEqual(before.idx + 20);
    expect(after.seq).toBe(before.seq);
  });
});
