import { DatabaseError, Pool, PoolClient } from 'pg';
import { appendLockKey, notifyChannel, quoteIdent } from '../sql-names';
import { LogRecord } from './backup-format';
import { EventLogNotEmpty, InvalidBackup, NoEventLog } from './backup.errors';

export interface ImportOptions {
  /** Called after each batch with the events imported so far and the last position. */
  onProgress?: (imported: number, lastPosition: number) => void;
  /** Checked inside the transaction, after the last batch and before commit: what the source promised. */
  expect?: { count: number; lastPosition: number };
}

export interface ImportResult {
  count: number;
  lastPosition: number;
}

/**
 * Loads events with their original positions, versions, ids, metadata and times into an EMPTY
 * log, all or nothing: one transaction holding the append lock (appends of running services wait
 * for it, and the emptiness check cannot race them). Rows go in with `OVERRIDING SYSTEM VALUE`;
 * the position sequence then restarts after the last one (ALTER TABLE ... RESTART is
 * transactional, unlike setval), so the next append continues the log. A failure anywhere,
 * including an error thrown by `batches` (a corrupt or truncated source), rolls everything back.
 * Subscribers are woken by a NOTIFY sent at commit.
 */
export async function importEvents(pool: Pool, schema: string, batches: AsyncIterable<readonly LogRecord[]>, options: ImportOptions = {}): Promise<ImportResult> {
  const table = `${quoteIdent(schema)}.events`;
  const client = await pool.connect();
  let released = false;
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(${appendLockKey(schema)})`);
    const exists = await client.query<{ events: string | null }>(`SELECT to_regclass($1) AS events`, [table]);
    if (!exists.rows[0]?.events) throw new NoEventLog(schema);
    const head = await client.query<{ p: string | null }>(`SELECT max(global_position) AS p FROM ${table}`);
    if (head.rows[0]?.p != null) throw new EventLogNotEmpty(schema, Number(head.rows[0].p));

    let count = 0;
    let lastPosition = 0;
    // One insert in flight while the source reads and checks the next batch.
    let inFlight: Promise<void> = Promise.resolve();
    let failure: { error: unknown } | null = null;
    const settle = async (): Promise<void> => {
      await inFlight;
      if (failure) throw failure.error;
    };
    for await (const batch of batches) {
      if (batch.length === 0) continue;
      for (const record of batch) {
        if (!Number.isSafeInteger(record.globalPosition) || record.globalPosition <= lastPosition) {
          throw new RangeError(`positions must ascend: ${record.globalPosition} after ${lastPosition}`);
        }
        lastPosition = record.globalPosition;
      }
      await settle();
      count += batch.length;
      const done = { count, lastPosition };
      inFlight = insertBatch(client, table, batch).then(
        () => options.onProgress?.(done.count, done.lastPosition),
        (error: unknown) => {
          failure = { error };
        },
      );
    }
    await settle();

    const check = await client.query<{ count: string; last: string | null }>(`SELECT count(*) AS count, max(global_position) AS last FROM ${table}`);
    const stored = { count: Number(check.rows[0]?.count ?? 0), lastPosition: Number(check.rows[0]?.last ?? 0) };
    if (stored.count !== count || stored.lastPosition !== lastPosition) {
      throw new Error(`imported ${count} events up to ${lastPosition}, but the table holds ${stored.count} up to ${stored.lastPosition}`);
    }
    if (options.expect && (options.expect.count !== count || options.expect.lastPosition !== lastPosition)) {
      throw new InvalidBackup(
        `the backup promised ${options.expect.count} events up to position ${options.expect.lastPosition} but held ${count} up to ${lastPosition}`,
      );
    }
    if (count > 0) {
      await client.query(`ALTER TABLE ${table} ALTER COLUMN global_position RESTART WITH ${lastPosition + 1}`);
      await client.query(`SELECT pg_notify($1, $2)`, [notifyChannel(schema), String(lastPosition)]);
    }
    await client.query('COMMIT');
    return { count, lastPosition };
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      // The connection is broken: drop it rather than return it to the pool.
      client.release(true);
      released = true;
    }
    throw translate(error);
  } finally {
    if (!released) client.release();
  }
}

async function insertBatch(client: PoolClient, table: string, batch: readonly LogRecord[]): Promise<void> {
  // One JSON array per batch; `e->'data'` keeps a JSON null as jsonb null (->> would make it SQL NULL).
  await client.query(
    `INSERT INTO ${table} (global_position, stream_id, stream_version, event_id, type, data, metadata, recorded_at) OVERRIDING SYSTEM VALUE
     SELECT (e->>'globalPosition')::bigint, e->>'streamId', (e->>'streamVersion')::int, (e->>'eventId')::uuid, e->>'type',
            e->'data', e->'metadata', (e->>'recordedAt')::timestamptz
     FROM jsonb_array_elements($1::jsonb) AS e`,
    [JSON.stringify(batch)],
  );
}

/** Constraint violations name what the source got wrong. */
function translate(error: unknown): unknown {
  if (!(error instanceof DatabaseError)) return error;
  if (error.code === '23505') return new InvalidBackup(`duplicate in the backup (${error.constraint ?? 'unique key'}): ${error.detail ?? error.message}`);
  if (error.code === '23514' || error.code === '23502' || error.code === '22P02' || error.code === '22007' || error.code === '22008') {
    return new InvalidBackup(`the database refused an event of the backup: ${error.message}${error.detail ? ` (${error.detail})` : ''}`);
  }
  return error;
}
