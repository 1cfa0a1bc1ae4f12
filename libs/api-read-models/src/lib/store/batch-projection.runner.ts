import { Pool } from 'pg';
import { JsonObject, ObjectRow } from '../model/api-object.model';
import { foldBatch } from '../model/batch-fold';
import { completeKubeEvents, resetApiReadModels } from './api-objects.projection';
import { ObjectRowRecord } from './object-rows';
import { eventFromJson, JsonEventRecord, ReadModelSql, rowFromJson } from './read-model.sql';
import { API_PROJECTION_NAME } from './sql-names';

const MAX_RECENT = 10_000;

/**
 * Keeps the API read models current in two or three round trips per batch, whatever its
 * size (ProjectionRunner needs about eight plus some per event): one statement reads the
 * checkpoint, the next events and the rows they touch (one snapshot); the batch is folded in
 * memory; one statement writes everything and moves the checkpoint, only if it is still where
 * it was read (compare-and-set). Same table, same checkpoint, same guarantees as
 * ProjectionRunner: rows and checkpoint change together or not at all, and when two copies
 * race one writes and the other reads again.
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
    for (;;) {
      const { applied, position } = await this.applyBatch();
      if (applied < this.batchSize) return position;
      onBatch?.(position);
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

  private async applyBatch(): Promise<{ applied: number; position: number }> {
    await this.ensureCheckpoint();
    for (;;) {
      const read = await this.pool.query<{ checkpoint: string; events: JsonEventRecord[]; rows: ObjectRowRecord[] }>(this.sql.batchRead, [this.name, this.batchSize]);
      const from = Number(read.rows[0]?.checkpoint ?? 0);
      const events = (read.rows[0]?.events ?? []).map(eventFromJson);
      if (events.length === 0) return { applied: 0, position: from };
      const rows = new Map<string, ObjectRow | null>();
      for (const record of read.rows[0]?.rows ?? []) if (record.stream_id) rows.set(record.stream_id, rowFromJson(record));
      const { writes, drafts } = foldBatch(events, rows);
      await completeKubeEvents(this.sql, drafts, writes, async (text, values) => (await this.pool.query<{ namespace: string; name: string; object: JsonObject }>(text, values)).rows);
      const to = events[events.length - 1].globalPosition;
      const { text, values } = this.sql.write(writes, { name: this.name, from, to });
      const written = await this.pool.query<{ applied: boolean }>(text, values);
      // Another copy moved the checkpoint first: what it wrote stands; read again from there.
      if (written.rows[0]?.applied) {
        this.remember(writes.rows, to);
        return { applied: events.length, position: to };
      }
    }
  }
}
