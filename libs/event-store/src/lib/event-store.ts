import { randomUUID } from 'node:crypto';
import { DatabaseError, Pool } from 'pg';
import { assertValidStreamId, NewEvent, RecordedEvent, validateEvent } from '@berth/contracts';
import { AppendOnlyViolation, ExpectedVersion, IdempotencyConflict, WrongExpectedVersion } from './errors';
import { notifyChannel, quoteIdent } from './sql-names';
import { EventHandler, SubscribeOptions, Subscription } from './subscription';

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

interface UnitRow {
  unit: number;
  event_id: string | null;
  stream_id: string | null;
  stream_version: number | null;
  global_position: string | null;
  existed: boolean | null;
  error_code: string | null;
  error_detail: string | null;
}

interface PendingAppend {
  requests: AppendRequest[];
  batch: unknown[];
  events: number;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/** Upper bound of one group commit, to keep the lock held briefly. */
const MAX_EVENTS_PER_COMMIT = 2_000;

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
  private readonly pending: PendingAppend[] = [];
  private flushing = false;

  constructor(
    readonly pool: Pool,
    readonly schema: string,
  ) {
    this.table = `${quoteIdent(schema)}.events`;
    this.appendFn = `${quoteIdent(schema)}.append_event_units`;
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
   *
   * Group commit: while one round trip is in flight, further appends of this process queue up
   * and go together in the next transaction (each still atomic and checked on its own), so
   * concurrent writers share commits instead of waiting for one fsync each.
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
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ requests, batch, resolve, reject, events: batch.reduce((n, r) => n + r.events.length, 0) });
      this.drain();
    });
  }

  private drain(): void {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = true;
    let events = 0;
    let take = 0;
    while (take < this.pending.length && (take === 0 || events + this.pending[take].events <= MAX_EVENTS_PER_COMMIT)) {
      events += this.pending[take].events;
      take++;
    }
    const units = this.pending.splice(0, take);
    void this.flush(units).finally(() => {
      this.flushing = false;
      this.drain();
    });
  }

  private async flush(units: PendingAppend[]): Promise<void> {
    let rows: UnitRow[];
    try {
      rows = (await this.pool.query<UnitRow>(`SELECT * FROM ${this.appendFn}($1::jsonb)`, [JSON.stringify(units.map((u) => u.batch))])).rows;
    } catch (error) {
      if (units.length === 1) {
        units[0].reject(this.translate(error, units[0].requests));
        return;
      }
      // The shared transaction failed as a whole (not a per-unit conflict): retry each alone so
      // only the faulty append gets the error.
      for (const unit of units) await this.flush([unit]);
      return;
    }
    const byUnit = new Map<number, UnitRow[]>();
    for (const row of rows) {
      const list = byUnit.get(row.unit) ?? [];
      list.push(row);
      byUnit.set(row.unit, list);
    }
    units.forEach((unit, index) => {
      const unitRows = byUnit.get(index + 1) ?? [];
      const failure = unitRows.find((row) => row.error_code !== null);
      if (failure) {
        unit.reject(this.unitError(failure, unit.requests));
        return;
      }
      const events = unitRows.map((row) => ({
        eventId: row.event_id as string,
        streamId: row.stream_id as string,
        streamVersion: row.stream_version as number,
        globalPosition: Number(row.global_position),
      }));
      unit.resolve({
        events,
        lastPosition: events.reduce((max, e) => Math.max(max, e.globalPosition), 0),
        deduplicated: unitRows.length > 0 && unitRows.every((row) => row.existed),
      });
    });
  }

  private unitError(row: UnitRow, requests: AppendRequest[]): Error {
    if (row.error_code === 'BE001') {
      const detail = JSON.parse(row.error_detail ?? '{}') as { streamId: string; expected: string; actual: number };
      const request = requests.find((r) => r.streamId === detail.streamId);
      return new WrongExpectedVersion(detail.streamId, request?.expected ?? (detail.expected as ExpectedVersion), detail.actual);
    }
    return new IdempotencyConflict(JSON.parse(row.error_detail ?? '[]') as string[]);
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

  /**
   * Catch up after position `after`, then follow live: the handler gets every event once, in
   * order. Give `listenUrl` to be woken by LISTEN/NOTIFY instead of polling.
   */
  subscribe(after: number, handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    return new Subscription(this, after, handler, options);
  }

  /** Which of these streams exist (hold at least one event): one round trip for many. */
  async existingStreams(streamIds: string[]): Promise<Set<string>> {
    if (streamIds.length === 0) return new Set();
    const result = await this.pool.query<{ stream_id: string }>(
      `SELECT s.id AS stream_id FROM unnest($1::text[]) AS s(id) WHERE EXISTS (SELECT 1 FROM ${this.table} e WHERE e.stream_id = s.id AND e.stream_version = 0)`,
      [streamIds],
    );
    return new Set(result.rows.map((row) => row.stream_id));
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
