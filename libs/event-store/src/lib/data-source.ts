import { Logger } from '@nestjs/common';
import { Client, Pool } from 'pg';
import { DataSource, EntitySchema, MixedList } from 'typeorm';
import { CheckpointEntity, EventRecordEntity } from './entities';
import { eventStoreMigrations } from './migrations';
import { quoteIdent } from './sql-names';

export interface DatabaseOptions {
  /** postgres://user@host:port/db */
  url: string;
  /** Schema that holds the log and the read models; tests use one each. */
  schema: string;
  poolSize?: number;
  /** Read-model entities of the projections this process runs. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  /** Migrations of those read models, run after the log's own. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: Function[];
  applicationName?: string;
}

const logger = new Logger('PostgresPool');

export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: [EventRecordEntity, CheckpointEntity, ...((options.entities as []) ?? [])],
    migrations: [...eventStoreMigrations, ...(options.migrations ?? [])],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName ?? 'berth',
  });
}

/**
 * The raw pool the log's hot paths use (append, read, replay). When Postgres restarts it terminates
 * the pool's idle connections; pg emits that on the pool, and an 'error' event nobody listens to
 * kills the process. The pool drops such a client by itself and connects anew on the next query.
 */
export function createPool(options: DatabaseOptions): Pool {
  const pool = new Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'berth',
  });
  pool.on('error', (error) => logger.warn({ msg: 'idle Postgres connection lost; the pool reconnects on next use', error: error.message }));
  return pool;
}

/** Creates the database named in the URL if it does not exist yet (first start of a cluster). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) return;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), application_name: 'berth-migrate' });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
        // Another service created it at the same moment.
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * Creates the schema and runs pending migrations. Several services start at once, so
 * the run is serialized by a session advisory lock: the first migrates, the rest wait.
 */
export async function runMigrations(options: DatabaseOptions): Promise<string[]> {
  await ensureDatabase(options.url);
  const client = new Client({ connectionString: options.url, application_name: 'berth-migrate' });
  await client.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext($1))`, [`berth-migrate:${options.schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
    const dataSource = createDataSource({ ...options, poolSize: 1 });
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await client.end();
  }
}
