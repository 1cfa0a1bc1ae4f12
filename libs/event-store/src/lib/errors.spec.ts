import { Client } from 'pg';
import { freePort, TEST_DATABASE_URL } from '@berth/testing';
import { isDatabaseUnavailable } from './errors';

describe('isDatabaseUnavailable', () => {
  it('is true for a server that does not answer (nothing listens on the port)', async () => {
    const client = new Client({ host: '127.0.0.1', port: await freePort(), user: 'postgres', database: 'postgres' });
    client.on('error', () => undefined);
    const error = await client.connect().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('is true for a connection the server terminated (as on shutdown), and for the same error wrapped', async () => {
    const victim = new Client({ connectionString: TEST_DATABASE_URL, application_name: `unavailable-test-${process.pid}` });
    victim.on('error', () => undefined);
    await victim.connect();
    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const pending = victim.query('SELECT pg_sleep(5)').then(
        () => null,
        (e: unknown) => e,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      const error = await pending;
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(isDatabaseUnavailable(Object.assign(new Error('query failed'), { driverError: error }))).toBe(true);
    } finally {
      await admin.end();
      await victim.end().catch(() => undefined);
    }
  });

  it('is false for a request the server refused, and for anything that is not an error', async () => {
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const error = await client.query('SELEC 1').then(
        () => null,
        (e: unknown) => e,
      );
      expect((error as { code?: string }).code).toBe('42601');
      expect(isDatabaseUnavailable(error)).toBe(false);
    } finally {
      await client.end();
    }
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
    expect(isDatabaseUnavailable(new Error('relation "x" does not exist'))).toBe(false);
  });
});
