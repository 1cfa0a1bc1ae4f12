import { Pool } from 'pg';
import { ApiObjectKind, ChangeType, JsonObject, ObjectChange, ObjectRow, TokenRecord, TokenRole } from '../model/api-object.model';
import { ROW_COLUMNS } from './object-rows';
import { RowKey, RowLookups } from './row-lookups';

export type { RowKey } from './row-lookups';
import { API_PROJECTION_NAME, COMPACTED_THROUGH, quoteIdent } from './sql-names';

export interface ObjectSnapshot {
  /** Log position the read model was at when the row was read. */
  position: number;
  /** The row (tombstones included: check `deleted`); undefined when the log never had it. */
  row?: ObjectRow;
}

export interface ListQuery {
  /** Undefined: every namespace. '' for cluster-scoped kinds. */
  namespace?: string;
  /** Continue after this key (exclusive). */
  after?: { namespace: string; name: string };
  limit: number;
  /** Only objects whose labels contain these (a selector's equality terms, checked in SQL). */
  labels?: Record<string, string>;
}

export interface ListSnapshot {
  position: number;
  items: { namespace: string; name: string; object: JsonObject }[];
}

/** A place in the watch feed: after (or through) change `seq` of `position`. */
export interface ChangeCursor {
  position: number;
  seq: number;
}

const LAST_SEQ = 2_147_483_647;

/** A bare position stands for the end of that position's changes. */
export function toCursor(value: ChangeCursor | number): ChangeCursor {
  return typeof value === 'number' ? { position: value, seq: LAST_SEQ } : value;
}

/** The position through which every change has been passed once `cursor` was reached. */
export function completedPosition(cursor: ChangeCursor): number {
  return cursor.seq === LAST_SEQ ? cursor.position : cursor.position - 1;
}

interface ChangeRecord {
  position: string;
  seq: number;
  kind: string;
  namespace: string;
  name: string;
  type: string;
  object: JsonObject;
}

/**
 * Queries of the API read models. Each answer comes from one statement, so the rows and the
 * checkpoint it reports are one snapshot: the answer is exactly the log up to `position`.
 */
export class ApiObjectReader {
  private readonly objects: string;
  private readonly changes: string;
  private readonly tokens: string;
  private readonly meta: string;
  private readonly checkpoints: string;
  private readonly lookups: RowLookups;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    const s = quoteIdent(schema);
    this.objects = `${s}.api_objects`;
    this.changes = `${s}.api_changes`;
    this.tokens = `${s}.api_tokens`;
    this.meta = `${s}.api_meta`;
    this.checkpoints = `${s}.checkpoints`;
    this.lookups = new RowLookups(pool, this.objects, this.checkpoints);
  }

  async checkpoint(): Promise<number> {
    const result = await this.pool.query<{ position: string }>(`SELECT position FROM ${this.checkpoints} WHERE name = $1`, [API_PROJECTION_NAME]);
    return Number(result.rows[0]?.position ?? 0);
  }

  /** One object (or its tombstone) and the position it is current at. */
  async get(kind: ApiObjectKind, namespace: string, name: string, options: { internal?: boolean } = {}): Promise<ObjectSnapshot> {
    const { position, rows } = await this.lookups.find([{ kind, namespace, name }], options.internal === true);
    return { position, ...(rows[0] ? { row: rows[0] } : {}) };
  }

  /** Several rows (tombstones included) in one snapshot, in the order of `keys`. */
  async getRows(keys: RowKey[], options: { internal?: boolean } = {}): Promise<(ObjectRow | undefined)[]> {
    return (await this.lookups.find(keys, options.internal === true)).rows;
  }

  /** Live objects of a kind in key order (namespace, name), from `after`, at most `limit`. */
  async list(kind: ApiObjectKind, query: ListQuery): Promise<ListSnapshot> {
    const result = await this.pool.query<{ checkpoint: string; namespace: string | null; name: string | null; object: JsonObject | null }>(
      `WITH cp AS (SELECT coalesce((SELECT position FROM ${this.checkpoints} WHERE name = $1), 0) AS position)
       SELECT cp.position AS checkpoint, o.namespace, o.name, o.object
       FROM cp LEFT JOIN LATERAL (
         SELECT namespace, name, object FROM ${this.objects}
         WHERE kind = $2 AND NOT deleted
           AND ($3::text IS NULL OR namespace = $3)
           AND (namespace, name) > ($4::text, $5::text)
           AND ($6::jsonb IS NULL OR object->'metadata'->'labels' @> $6::jsonb)
         ORDER BY namespace, name
         LIMIT $7
       ) o ON true`,
      [
        API_PROJECTION_NAME,
        kind,
        query.namespace ?? null,
        query.after?.namespace ?? '',
        query.after?.name ?? '',
        query.labels && Object.keys(query.labels).length > 0 ? JSON.stringify(query.labels) : null,
        query.limit,
      ],
    );
    const position = Number(result.rows[0]?.checkpoint ?? 0);
    const items = result.rows
      .filter((row) => row.name !== null)
      .map((row) => ({ namespace: row.namespace as string, name: row.name as string, object: row.object as JsonObject }));
    return { position, items };
  }

  /**
   * Watch entries after the cursor `after` (and up to `through`, when given), in log order
   * (position, seq). A bare position as cursor means "after every change of that position".
   */
  async changesAfter(
    after: ChangeCursor | number,
    options: { through?: ChangeCursor | number; kinds?: ApiObjectKind[]; namespace?: string; limit?: number } = {},
  ): Promise<ObjectChange[]> {
    const from = toCursor(after);
    const through = options.through === undefined ? undefined : toCursor(options.through);
    const result = await this.pool.query<ChangeRecord>(
      `SELECT position, seq, kind, namespace, name, type, object FROM ${this.changes}
       WHERE (position, seq) > ($1::bigint, $2::int)
         AND ($3::bigint IS NULL OR (position, seq) <= ($3::bigint, $4::int))
         AND ($5::text[] IS NULL OR kind = ANY($5)) AND ($6::text IS NULL OR namespace = $6)
       ORDER BY position, seq LIMIT $7`,
      [from.position, from.seq, through?.position ?? null, through?.seq ?? LAST_SEQ, options.kinds ?? null, options.namespace ?? null, options.limit ?? 1_000],
    );
    return result.rows.map((r) => ({
      position: Number(r.position),
      seq: r.seq,
      kind: r.kind as ApiObjectKind,
      namespace: r.namespace,
      name: r.name,
      type: r.type as ChangeType,
      object: r.object,
    }));
  }

  /** Watch entries at or below this position are gone (a watch from there gets 410 Gone). */
  async compactedThrough(): Promise<number> {
    const result = await this.pool.query<{ value: string }>(`SELECT value FROM ${this.meta} WHERE key = $1`, [COMPACTED_THROUGH]);
    return Number(result.rows[0]?.value ?? 0);
  }

  /** Drops watch entries at or below `through` (they only serve watches resuming from old versions). */
  async compactChanges(through: number): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const deleted = await client.query(`DELETE FROM ${this.changes} WHERE position <= $1`, [through]);
      await client.query(
        `INSERT INTO ${this.meta} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = GREATEST(${this.meta}.value, EXCLUDED.value)`,
        [COMPACTED_THROUGH, through],
      );
      await client.query('COMMIT');
      return deleted.rowCount ?? 0;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async tokenByHash(hashHex: string): Promise<TokenRecord | undefined> {
    const result = await this.pool.query<{ id: string; hash_hex: string; role: string; namespace: string | null; name: string | null; revoked: boolean }>(
      `SELECT id, hash_hex, role, namespace, name, revoked FROM ${this.tokens} WHERE hash_hex = $1 ORDER BY position DESC LIMIT 1`,
      [hashHex],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      hashHex: row.hash_hex,
      role: row.role as TokenRole,
      ...(row.namespace ? { namespace: row.namespace } : {}),
      ...(row.name ? { name: row.name } : {}),
      revoked: row.revoked,
    };
  }

  /** Everything the read models hold, in a stable order: for comparing a rebuild with the live state. */
  async dump(): Promise<{ objects: unknown[]; tokens: unknown[] }> {
    const objects = await this.pool.query(`SELECT ${ROW_COLUMNS}, internal FROM ${this.objects} ORDER BY kind, namespace, name`);
    const tokens = await this.pool.query(`SELECT * FROM ${this.tokens} ORDER BY id`);
    return { objects: objects.rows, tokens: tokens.rows };
  }
}
