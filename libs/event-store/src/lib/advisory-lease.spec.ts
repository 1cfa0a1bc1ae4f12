import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { TEST_DATABASE_URL } from '@berth/testing';
import { AdvisoryLease } from './advisory-lease';

const waitUntil = async (check: () => boolean | Promise<boolean>, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('AdvisoryLease (real Postgres)', () => {
  const leases: AdvisoryLease[] = [];
  const lease = (key: string, onLost?: (error: unknown) => void) => {
    const l = new AdvisoryLease(TEST_DATABASE_URL, key, { onLost, checkIntervalMs: 100, applicationName: `lease-test-${key}` });
    leases.push(l);
    return l;
  };
  afterAll(async () => {
    await Promise.all(leases.map((l) => l.release()));
  });

  it('is held by one copy at a time and passes on when released', async () => {
    const key = `test-${randomUUID()}`;
    const a = lease(key);
    const b = lease(key);
    const results = await Promise.all([a.tryAcquire(), b.tryAcquire()]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const [holder, other] = results[0] ? [a, b] : [b, a];
    expect(holder.held).toBe(true);
    expect(other.held).toBe(false);
    expect(await holder.tryAcquire()).toBe(true);
    expect(await other.tryAcquire()).toBe(false);
    await holder.release();
    expect(holder.held).toBe(false);
    expect(await other.tryAcquire()).toBe(true);
  });

  it('reports the loss when its connection dies, and another copy can take over', async () => {
    const key = `test-${randomUUID()}`;
    const lost: unknown[] = [];
    const a = lease(key, (error) => lost.push(error));
    const b = lease(key);
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [`lease-test-${key}`]);
    } finally {
      await admin.end();
    }
    await waitUntil(() => !a.held);
    expect(lost).toHaveLength(1);
    await waitUntil(() => b.tryAcquire());
    expect(b.held).toBe(true);
  });
});
