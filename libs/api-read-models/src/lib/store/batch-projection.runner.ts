import { Pool } from 'pg';
import { RecordedEvent } from '@berth/contracts';
import { JsonObject, ObjectRow } from '../model/api-object.model';
import { foldBatch } from '../model/batch-fold';
import { completeKubeEvents, resetApiReadModels } from './api-objects.projection';
import { ObjectRowRecord } from './object-rows';
import { eventFromJson, JsonEventRecord, ReadModelSql, rowFromJson } from './read-model.sql';
import { API_PROJECTION_NAME } from './sql-names';

const MAX_RECENT = 10_000;

/** A batch read from the log: where it starts, its events, and the rows they read. */
interface Batch {
  from: number;
  events: RecordedEvent[];
  rows: Map<string, ObjectRow | null>;
}

/**
 * Keeps the API read models current in one to three round trips per batch, whatever its size
 * (ProjectionRunner needs about eight plus some per event): one statement reads the
 * checkpoint, the next events and the rows they touch (one snapshot); the batch is folded in
 * memory; one statement writes everything and moves the checkpoint, only if it is still where
 * it was read (compare-and-set), and brings back the events that came meanwhile with their
 * rows, so that under a steady flow of appends each further batch costs that one statement.
 * Same table, same checkpoint, same guarantees as ProjectionRunner: rows and checkpoint change
 * together or not at all, and when two copies race one writes and the other reads again.
 */
export class BatchProjectionRunner {
  private readonly sql: ReadModelSql;
  private ensured = false;
  /** Rows this runner wrote lately (by stream), with the position they are current at. */
  private readonly recent = new Map<string, { row: ObjectRow | null; position: number }>();

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly batchSize = 500,
    readonly name = API_PROJECTION_NAME,
  ) {
    this.sql = new ReadModelSql(schema);
  }

  /** Applies every event not yet applied; returns the checkpoint reached. */
  async catchUp(onBatch?: (position: number) => void): Promise<number> {
    let next: Batch | undefined;
    for (;;) {
      const applied = await this.applyBatch(next);
      // Done once the statement that wrote a batch saw nothing after it.
      if (!applied.next || applied.next.events.length === 0) return applied.position;
      onBatch?.(applied.position);
      next = applied.next;
    }
  }

  async checkpoint(): Promise<number> {
    const result = await this.pool.query<{ position: string }>(`SELECT position FROM ${this.sql.checkpoints} WHERE name = $1`, [this.name]);
    return Number(result.rows[0]?.position ?? 0);
  }

  /** Empties the read models and replays the whole log into them. */
  async rebuild(): Promise<number> {
    await this.ensureCheckpoint();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT position FROM ${this.sql.checkpoints} WHERE name = $1 FOR UPDATE`, [this.name]);
      await resetApiReadModels(this.sql, (text) => client.query(text));
      await client.query(`UPDATE ${this.sql.checkpoints} SET position = 0, updated_at = now() WHERE name = $1`, [this.name]);
      await client.query('COMMIT');
      this.recent.clear();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    return this.catchUp();
  }

  /**
   * A row this runner wrote at or after `position` (null: it removed it), or undefined when it
   * did not (another copy did, or it is no longer remembered): a writer can answer with it
   * instead of reading it back. Such a row may be older than the table's newest, never older
   * than `position`.
   */
  recentRow(streamId: string, position: number): ObjectRow | null | undefined {
    const entry = this.recent.get(streamId);
    return entry && entry.position >= position ? entry.row : undefined;
  }

  private remember(rows: Map<string, ObjectRow | null>, position: number): void {
    for (const [streamId, row] of rows) {
      this.recent.delete(streamId);
      this.recent.set(streamId, { row, position });
    }
    for (const oldest of this.recent.keys()) {
      if (this.recent.size <= MAX_RECENT) break;
      this.recent.delete(oldest);
    }
  }

  private async ensureCheckpoint(): Promise<void> {
    if (this.ensured) return;
    await this.pool.query(`INSERT INTO ${this.sql.checkpoints} (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING`, [this.name]);
    this.ensured = true;
  }

  private async read(): Promise<Batch> {
    const read = await this.pool.query<{ checkpoint: string; events: JsonEventRecord[]; rows: ObjectRowRecord[] }>(this.sql.batchRead, [this.name, this.batchSize]);
    return { from: Number(read.rows[0]?.checkpoint ?? 0), events: (read.rows[0]?.events ?? []).map(eventFromJson), rows: rowsByStream(read.rows[0]?.rows ?? []) };
  }

  /**
   * Applies `prefetched` (or the batch read now), or, when another copy moved the checkpoint
   * first, the batch after what that copy wrote. `next` is the batch after this one, as the
   * writing statement saw it.
   */
  private async applyBatch(prefetched?: Batch): Promise<{ position: number; next?: Batch }> {
    await this.ensureCheckpoint();
    let batch = prefetched ?? (await this.read());
    for (;;) {
      const { from, events, rows } = batch;
      if (events.length === 0) return { position: from };
      const { writes, drafts } = foldBatch(events, rows);
      await completeKubeEvents(this.sql, drafts, writes, async (text, values) => (await this.pool.query<{ namespace: string; name: string; object: JsonObject }>(text, values)).rows);
      const to = events[events.length - 1].globalPosition;
      const { text, values } = this.sql.write(writes, { name: this.name, from, to }, this.batchSize);
      const written = (await this.pool.query<{ applied: boolean; next_events: JsonEventRecord[]; next_rows: ObjectRowRecord[] }>(text, values)).rows[0];
      if (written?.applied) {
        this.remember(writes.rows, to);
        // The next rows as the statement read them, before its own writes: this batch's rows go over them.
        const nextRows = rowsByStream(written.next_rows);
        for (const [streamId, row] of writes.rows) nextRows.set(streamId, row);
        return { position: to, next: { from: to, events: written.next_events.map(eventFromJson), rows: nextRows } };
      }
      // Another copy moved the checkpoint first: what it wrote stands; read again from there.
      batch = await this.read();
    }
  }
}

function rowsByStream(records: ObjectRowRecord[]): Map<string, ObjectRow | null> {
  const rows = new Map<string, ObjectRow | null>();
  for (const record of records) if (record.stream_id) rows.set(record.stream_id, rowFromJson(record));
  return rows;
}
