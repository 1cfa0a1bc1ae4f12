import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource, createPool, DatabaseOptions, EventStore, runMigrations } from '@berth/event-store';

export const TEST_DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  options: DatabaseOptions;
  pool: Pool;
  store: EventStore;
  dataSource: DataSource;
  cleanup(): Promise<void>;
}

/** A schema of its own for one test file, migrated, dropped by cleanup(). */
export async function createTestDatabase(prefix = 't', extra: Partial<DatabaseOptions> = {}): Promise<TestDatabase> {
  const schema = `${prefix}_${randomBytes(5).toString('hex')}`.toLowerCase();
  const options: DatabaseOptions = { url: TEST_DATABASE_URL, schema, poolSize: 12, ...extra };
  await runMigrations(options);
  const pool = createPool(options);
  const dataSource = await createDataSource(options).initialize();
  return {
    options,
    pool,
    store: new EventStore(pool, schema),
    dataSource,
    cleanup: async () => {
      await dataSource.destroy().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await dropSchema(schema, options.url);
    },
  };
}

export async function dropSchema(schema: string, url = TEST_DATABASE_URL): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
