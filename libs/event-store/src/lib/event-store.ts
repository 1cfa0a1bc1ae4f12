import { randomUUID } from 'node:crypto';
import { DatabaseError, Pool } from 'pg';
import { assertValidStreamId, NewEvent, RecordedEvent, validateEvent } from '@berth/contracts';
import { AppendOnlyViolation, ExpectedVersion, IdempotencyConflict, WrongExpectedVersion } from './errors';
import { notifyChannel, quoteIdent } from './sql-names';

export interface AppendRequest {
  streamId: string;
  expected: ExpectedVersion;
  events: NewEvent[];
}

export interface AppendedEvent {
  eventId: string;
  streamId: string;
  streamVersion: number;
  globalPosition: number;
}

export interface AppendResult {
  events: AppendedEvent[];
  /** Position of the last event of the append. */
  lastPosition: number;
  /** True when every event id already existed: a retry that wrote nothing. */
  deduplicated: boolean;
}

interface EventRow {
  global_position: string;
  stream_id: string;
  stream_version: number;
  event_id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: Date;
}

interface AppendRow {
  event_id: string;
  stream_id: string;
  stream_version: number;
  global_position: string;
  existed: boolean;
}

const selectColumns = 'global_position, stream_id, stream_version, event_id, type, data, metadata, recorded_at';

function toRecorded(row: EventRow): RecordedEvent {
  return {
    globalPosition: Number(row.global_position),
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}

function expectedToText(expected: ExpectedVersion): string {
  if (expected === 'any' || expected === 'no_stream') return expected;
  if (!Number.isInteger(expected) || expected < -1) throw new RangeError(`expected version must be an integer >= -1, got ${expected}`);
  return String(expected);
}

/**
 * The append-only event log: the single source of truth. Every write is an append with
 * an expected version; every read model is derived from `readAll` in global order.
 */
export class EventStore {
  private readonly table: string;
  private readonly appendFn: string;

  constructor(
    readonly pool: Pool,
    readonly schema: string,
  ) {
    this.table = `${quoteIdent(schema)}.events`;
    this.appendFn = `${quoteIdent(schema)}.append_events`;
  }

  get notifyChannel(): string {
    return notifyChannel(this.schema);
  }

  /** Appends events to one stream atomically. */
  async append(streamId: string, expected: ExpectedVersion, events: NewEvent[]): Promise<AppendResult> {
    return this.appendMany([{ streamId, expected, events }]);
  }

  /**
   * Appends to several streams in one transaction: all or nothing. Payloads are checked
   * against the event catalogue first, so nothing invalid reaches the database.
   */
  async appendMany(requests: AppendRequest[]): Promise<AppendResult> {
    const batch = requests.map((request) => {
      assertValidStreamId(request.streamId);
      if (request.events.length === 0) throw new RangeError(`append to ${request.streamId} has no events`);
      return {
        streamId: request.streamId,
        expected: expectedToText(request.expected),
        events: request.events.map((event) => {
          const valid = validateEvent(event);
          return { eventId: valid.eventId ?? randomUUID(), type: valid.type, data: valid.data, metadata: valid.metadata ?? {} };
        }),
      };
    });
    let rows: AppendRow[];
    try {
      rows = (await this.pool.query<AppendRow>(`SELECT * FROM ${this.appendFn}($1::jsonb)`, [JSON.stringify(batch)])).rows;
    } catch (error) {
      throw this.translate(error, requests);
    }
    const events = rows.map((row) => ({
      eventId: row.event_id,
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      globalPosition: Number(row.global_position),
    }));
    return {
      events,
      lastPosition: events.reduce((max, e) => Math.max(max, e.globalPosition), 0),
      deduplicated: rows.length > 0 && rows.every((row) => row.existed),
    };
  }

  /** Events of one stream from a version on, in version order. */
  async readStream(streamId: string, fromVersion = 0, limit = 10_000): Promise<RecordedEvent[]> {
    const result = await this.pool.query<EventRow>(
      `SELECT ${selectColumns} FROM ${this.table} WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version LIMIT $3`,
      [streamId, fromVersion, limit],
    );
    return result.rows.map(toRecorded);
  }

  /** Current version of a stream, -1 when it does not exist. */
  async streamVersion(streamId: string): Promise<number> {
    const result = await this.pool.query<{ v: number | null }>(`SELECT max(stream_version) AS v FROM ${this.table} WHERE stream_id = $1`, [
      streamId,
    ]);
    return result.rows[0]?.v ?? -1;
  }

  /**
   * Events after position `after` (0 = from the start), in global order. Because appends
   * draw positions under a lock held until commit, what this returns never has a hole
   * that a later commit fills: no skips, no repeats.
   */
  async readAll(after: number, limit = 1_000): Promise<RecordedEvent[]> {
    const result = await this.pool.query<EventRow>(
      `SELECT ${selectColumns} FROM ${this.table} WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
      [after, limit],
    );
    return result.rows.map(toRecorded);
  }

  /** Position of the last committed event, 0 for an empty log. */
  async headPosition(): Promise<number> {
    const result = await this.pool.query<{ p: string | null }>(`SELECT max(global_position) AS p FROM ${this.table}`);
    return Number(result.rows[0]?.p ?? 0);
  }

  private translate(error: unknown, requests: AppendRequest[]): unknown {
    if (!(error instanceof DatabaseError)) return error;
    if (error.code === 'BE001') {
      const detail = JSON.parse(error.detail ?? '{}') as { streamId: string; expected: string; actual: number };
      const request = requests.find((r) => r.streamId === detail.streamId);
      return new WrongExpectedVersion(detail.streamId, request?.expected ?? (detail.expected as ExpectedVersion), detail.actual);
    }
    if (error.code === 'BE002') return new IdempotencyConflict(JSON.parse(error.detail ?? '[]') as string[]);
    if (error.code === 'BE003') return new AppendOnlyViolation(error.message);
    // Two appends of the same stream racing past the lock cannot happen; a duplicate key here means a
    // duplicate event id inside the batch itself.
    if (error.code === '23505') return new IdempotencyConflict([]);
    return error;
  }
}
