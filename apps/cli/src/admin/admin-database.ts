import { ConfigError, databaseConfigShape, loadConfig } from '@berth/config';
import type { EventStore } from '@berth/event-store';
import type { CommandContext } from '../cli-context';
import { CliError } from '../commands/cli.errors';

export type EventStoreLib = typeof import('@berth/event-store');

/** The event log as admin commands reach it: straight in Postgres, from DATABASE_URL and DATABASE_SCHEMA. */
export interface AdminDatabase {
  lib: EventStoreLib;
  store: EventStore;
  pool: EventStore['pool'];
  schema: string;
  /** The database name (no credentials), for backup headers and messages. */
  database: string;
  /** The URL without its password, for messages. */
  where: string;
}

/** Loaded on demand: only admin commands need Postgres, and only on the control-plane host. */
export function loadEventStoreLib(): Promise<EventStoreLib> {
  return import('@berth/event-store');
}

/** A database URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}

/**
 * Opens the event log, runs `work`, and closes the pool. `migrate` creates the database, schema
 * and tables first (token commands and restore, which may be the first to touch a new schema);
 * read-only commands (backup, state) never change the database.
 */
export async function withAdminDatabase<T>(ctx: CommandContext, options: { migrate: boolean }, work: (db: AdminDatabase) => Promise<T>): Promise<T> {
  let config;
  try {
    config = loadConfig(databaseConfigShape, ctx.io.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  const lib = await loadEventStoreLib();
  const databaseOptions = { url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, poolSize: 3, applicationName: 'berth-admin' };
  const where = `${redactUrl(config.DATABASE_URL)} (schema ${config.DATABASE_SCHEMA})`;
  if (options.migrate) {
    try {
      await lib.runMigrations(databaseOptions);
    } catch (error) {
      throw new CliError(`cannot open the event log at ${where}: ${(error as Error).message}`);
    }
  }
  const pool = lib.createPool(databaseOptions);
  // An idle client losing its server must not crash the command with an unhandled 'error' event.
  pool.on('error', () => undefined);
  try {
    return await work({
      lib,
      store: new lib.EventStore(pool, config.DATABASE_SCHEMA),
      pool,
      schema: config.DATABASE_SCHEMA,
      database: decodeURIComponent(new URL(config.DATABASE_URL).pathname.replace(/^\//, '')),
      where,
    });
  } catch (error) {
    if (error instanceof lib.NoEventLog) throw new CliError(`${error.message} at ${where}: check DATABASE_URL and DATABASE_SCHEMA`);
    const code = (error as { code?: string }).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '3D000' || code === '28P01' || code === '28000') {
      throw new CliError(`cannot open the event log at ${where}: ${(error as Error).message}`);
    }
    throw error;
  } finally {
    await pool.end();
  }
}
