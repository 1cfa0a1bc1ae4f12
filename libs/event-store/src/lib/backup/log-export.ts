import { Pool } from 'pg';
import { eventStoreMigrations } from '../migrations';
import { quoteIdent } from '../sql-names';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, BackupEncoder, BackupHeader, ExportRow } from './backup-format';
import { NoEventLog } from './backup.errors';

export interface LogExportOptions {
  /** Positions per read (a window of positions: at most this many rows). */
  batchSize?: number;
  /** Database name for the header (never credentials). */
  database?: string;
  /** Called after each page with the events written so far and the total. */
  onProgress?: (written: number, total: number) => void;
  now?: () => Date;
}

export interface LogExport {
  header: BackupHeader;
  /** The backup's text: the header line, one chunk per page of events, the trailer. Iterate once. */
  chunks: AsyncGenerator<string>;
}

interface PageRow {
  global_position: string;
  stream_id: string;
  stream_version: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

const KNOWN_MIGRATIONS = eventStoreMigrations.map((migration) => new migration().name);

/** The newest event-store migration applied to the schema: the events table's layout. */
export async function logSchemaVersion(pool: Pool, schema: string): Promise<string> {
  const s = quoteIdent(schema);
  const exists = await pool.query<{ events: string | null; migrations: string | null }>(
    `SELECT to_regclass($1) AS events, to_regclass($2) AS migrations`,
    [`${s}.events`, `${s}.migrations`],
  );
  if (!exists.rows[0]?.events || !exists.rows[0]?.migrations) throw new NoEventLog(schema);
  const applied = await pool.query<{ name: string }>(`SELECT name FROM ${s}.migrations WHERE name = ANY($1)`, [KNOWN_MIGRATIONS]);
  const names = new Set(applied.rows.map((row) => row.name));
  const newest = [...KNOWN_MIGRATIONS].reverse().find((name) => names.has(name));
  if (!newest) throw new NoEventLog(schema);
  return newest;
}

/** True when this Berth knows the events-table layout a backup was made from. */
export function isKnownLogSchema(name: string): boolean {
  return KNOWN_MIGRATIONS.includes(name);
}

export function knownLogSchemas(): readonly string[] {
  return KNOWN_MIGRATIONS;
}

/**
 * Streams the whole log as a backup without holding it in memory: the count and last position
 * are taken first, then the events are read in windows of `batchSize` positions up to that last
 * position (the next window is read while the current one is written). Appends may go on meanwhile; they are
 * after the last position and not in this backup. Because positions are handed out in commit
 * order, every position up to the last one is already committed: the backup is a consistent
 * prefix of the log without a long-running transaction.
 */
export async function exportEventLog(pool: Pool, schema: string, options: LogExportOptions = {}): Promise<LogExport> {
  const logSchema = await logSchemaVersion(pool, schema);
  const table = `${quoteIdent(schema)}.events`;
  const head = await pool.query<{ count: string; last: string | null }>(`SELECT count(*) AS count, max(global_position) AS last FROM ${table}`);
  const total = Number(head.rows[0]?.count ?? 0);
  const lastPosition = Number(head.rows[0]?.last ?? 0);
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    logSchema,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    source: { ...(options.database ? { database: options.database } : {}), schema },
    count: total,
    lastPosition,
  };
  const batchSize = options.batchSize ?? 2_000;
  // Windows of positions rather than LIMIT: each query touches at most one page of rows whatever plan
  // the planner picks (a fresh table has no statistics, and a range + LIMIT then sorts the whole range).
  const rowsSql =
    `SELECT global_position, stream_id, stream_version, event_id, type, data::text AS data, metadata::text AS metadata, ` +
    `to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS recorded_at ` +
    `FROM ${table} WHERE global_position > $1 AND global_position <= $2 ORDER BY global_position`;
  const nextSql = `SELECT min(global_position) AS p FROM ${table} WHERE global_position > $1 AND global_position <= $2`;
  const page = async (after: number): Promise<{ rows: PageRow[]; end: number }> => {
    let from = after;
    for (;;) {
      const end = Math.min(from + batchSize, lastPosition);
      const rows = (await pool.query<PageRow>(rowsSql, [from, end])).rows;
      if (rows.length > 0 || end >= lastPosition) return { rows, end };
      // A gap wider than a window: jump to the next event instead of walking empty windows.
      const next = (await pool.query<{ p: string | null }>(nextSql, [end, lastPosition])).rows[0]?.p;
      if (next == null) return { rows: [], end: lastPosition };
      from = Number(next) - 1;
    }
  };

  async function* chunks(): AsyncGenerator<string> {
    const encoder = new BackupEncoder();
    yield encoder.header(header);
    let written = 0;
    let next: Promise<{ rows: PageRow[]; end: number }> | null = lastPosition > 0 ? page(0) : null;
    try {
      while (next) {
        const { rows, end } = await next;
        // Read ahead: the next window is on its way while this one is encoded and written.
        next = end < lastPosition ? page(end) : null;
        if (rows.length === 0) continue;
        const text = encoder.rows(rows.map(toExportRow));
        written += rows.length;
        options.onProgress?.(written, total);
        yield text;
      }
    } finally {
      // The consumer stopped early (an error writing the file): the read-ahead must not go unhandled.
      if (next) void next.catch(() => undefined);
    }
    if (written !== total) throw new Error(`the log changed under the backup: read ${written} events up to position ${lastPosition}, expected ${total}`);
    yield encoder.trailer();
  }
  return { header, chunks: chunks() };
}

function toExportRow(row: PageRow): ExportRow {
  return {
    globalPosition: row.global_position,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    eventId: row.event_id,
    type: row.type,
    dataJson: row.data,
    metadataJson: row.metadata,
    recordedAt: row.recorded_at,
  };
}
