import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { TEST_DATABASE_URL } from '@berth/testing';
import { createPool } from './data-source';

describe('createPool (real Postgres)', () => {
  it('survives the server terminating its idle connections, as a restart does, and reconnects on the next query', async () => {
    const applicationName = `pool-test-${randomUUID()}`;
    const pool = createPool({ url: TEST_DATABASE_URL, schema: 'public', poolSize: 2, applicationName });
    const errors: Error[] = [];
    const emit = pool.emit.bind(pool);
    // Records the 'error' events while still emitting them: with no listener, emit throws and the process dies.
    pool.emit = ((event: string, ...args: unknown[]) => {
      if (event === 'error') errors.push(args[0] as Error);
      return emit(event, ...args);
    }) as typeof pool.emit;
    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      // Two clients, both idle in the pool afterwards.
      await Promise.all([pool.query('SELECT pg_sleep(0.05)'), pool.query('SELECT pg_sleep(0.05)')]);
      expect(pool.idleCount).toBe(2);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
      const deadline = Date.now() + 5_000;
      while (errors.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(errors.map((e) => e.message)).toEqual(['terminating connection due to administrator command', 'terminating connection due to administrator command']);
      expect(pool.idleCount).toBe(0);
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await admin.end();
      await pool.end();
    }
  });
});
