import { EventData, RecordedEvent } from '@berth/contracts';
import { BatchWrites } from '../model/batch-fold';
import { JsonObject, ObjectRow } from '../model/api-object.model';
import { ObjectRowRecord, ROW_COLUMNS, toObjectRow } from './object-rows';
import { quoteIdent } from './sql-names';

/** The SQL of the API read models in one schema: reads a batch needs, and one statement that writes it all. */
export class ReadModelSql {
  readonly objects: string;
  readonly changes: string;
  readonly tokens: string;
  readonly meta: string;
  readonly checkpoints: string;
  readonly events: string;

  constructor(schema: string) {
    const s = quoteIdent(schema);
    this.objects = `${s}.api_objects`;
    this.changes = `${s}.api_changes`;
    this.tokens = `${s}.api_tokens`;
    this.meta = `${s}.api_meta`;
    this.checkpoints = `${s}.checkpoints`;
    this.events = `${s}.events`;
  }

  /** Rows of these streams: `SELECT ... WHERE stream_id = ANY($1)`. */
  get rowsOfStreams(): string {
    return `SELECT ${ROW_COLUMNS}, internal FROM ${this.objects} WHERE stream_id = ANY($1::text[])`;
  }

  /** Stored Events by `namespace/name` keys: `$1` namespaces, `$2` names. */
  get kubeEventsByKey(): string {
    return `SELECT o.namespace, o.name, o.object FROM unnest($1::text[], $2::text[]) AS k(namespace, name)
            JOIN ${this.objects} o ON o.kind = 'Event' AND o.namespace = k.namespace AND o.name = k.name`;
  }

  /**
   * CTEs `${p}ev` (the next `limit` events after position `after`) and `${p}wanted` (the
   * streams whose rows those events read: their own, the Deployment of a ReplicaCreated, the
   * Node of a ReplicaScheduled), and the two columns that return them as jsonb.
   */
  private nextEvents(after: string, limit: string, p: string): { ctes: string; events: string; rows: string } {
    return {
      ctes: `${p}ev AS (
        SELECT global_position, stream_id, stream_version, event_id, type, data, metadata, recorded_at
        FROM ${this.events} WHERE global_position > ${after} ORDER BY global_position LIMIT ${limit}
      ),
      ${p}wanted AS (
        SELECT stream_id FROM ${p}ev
        UNION SELECT 'deployment:' || (data->>'namespace') || '/' || (data->>'deployment') FROM ${p}ev WHERE type = 'ReplicaCreated'
        UNION SELECT 'node:' || (data->>'node') FROM ${p}ev WHERE type = 'ReplicaScheduled'
      )`,
      events: `(SELECT coalesce(jsonb_agg(to_jsonb(e) ORDER BY global_position), '[]'::jsonb) FROM ${p}ev e)`,
      // `= ANY(ARRAY(...))`, not `IN (SELECT ...)`: planned for the LIMIT's 500 events, the join
      // scanned every object (17 ms at 6,000 objects, each batch); this is an index lookup.
      rows: `(SELECT coalesce(jsonb_agg(to_jsonb(o)), '[]'::jsonb) FROM ${this.objects} o WHERE o.stream_id = ANY(ARRAY(SELECT stream_id FROM ${p}wanted)))`,
    };
  }

  /**
   * One snapshot: the checkpoint, the next events after it, and the rows those events read.
   * `$1` checkpoint name, `$2` batch size.
   */
  get batchRead(): string {
    const next = this.nextEvents('(SELECT position FROM cp)', '$2', '');
    return `WITH cp AS (SELECT position FROM ${this.checkpoints} WHERE name = $1),
      ${next.ctes}
      SELECT (SELECT position FROM cp) AS checkpoint, ${next.events} AS events, ${next.rows} AS rows`;
  }

  /**
   * Writes a batch in one statement (hence atomically): rows, removals, Events, watch
   * entries, tokens. With `checkpoint`, only if the checkpoint is still at `from` (it is moved
   * to `to` in the same statement): a copy that lost the race writes nothing. The commit does
   * not wait for the disk: the data is derived and rebuildable, and rows and checkpoint go together.
   * With `prefetch` (and a checkpoint), the statement also returns the next `prefetch` events
   * after `to` and the rows they read (`next_events`, `next_rows`), as they were before this
   * statement's own writes: the next batch needs no read of its own.
   */
  write(writes: BatchWrites, checkpoint?: { name: string; from: number; to: number }, prefetch?: number): { text: string; values: unknown[] } {
    const rows: ObjectRow[] = [];
    const removed: string[] = [];
    for (const [streamId, row] of writes.rows) {
      if (row) rows.push(row);
      else removed.push(streamId);
    }
    const byKey = new Map<string, Record<string, unknown>>();
    for (const row of rows) {
      byKey.set(`${row.kind}\u0000${row.namespace}\u0000${row.name}`, {
        kind: row.kind,
        namespace: row.namespace,
        name: row.name,
        uid: row.uid,
        stream_id: row.streamId,
        stream_version: row.streamVersion,
        resource_version: row.resourceVersion,
        generation: row.generation,
        deleted: row.deleted,
        object: row.object,
        internal: row.internal,
      });
    }
    for (const event of writes.kubeEvents.values()) {
      byKey.set(`Event\u0000${event.namespace}\u0000${event.name}`, {
        kind: 'Event',
        namespace: event.namespace,
        name: event.name,
        uid: event.uid,
        stream_id: null,
        stream_version: -1,
        resource_version: event.position,
        generation: 0,
        deleted: false,
        object: event.object,
        internal: {},
      });
    }
    const next = checkpoint && prefetch ? this.nextEvents('$9::bigint', '$12::int', 'nx_') : undefined;
    const guard = checkpoint
      ? `cp AS (UPDATE ${this.checkpoints} SET position = $9, updated_at = now() WHERE name = $10 AND position = $11 RETURNING 1),
         go AS (SELECT EXISTS (SELECT 1 FROM cp) AS ok),`
      : `go AS (SELECT true AS ok),`;
    const text = `WITH ${guard}
      sc AS (SELECT set_config('synchronous_commit', 'off', true) AS v),
      gone AS (DELETE FROM ${this.objects} WHERE stream_id = ANY($1::text[]) AND (SELECT ok FROM go)),
      up AS (
        INSERT INTO ${this.objects} (kind, namespace, name, uid, stream_id, stream_version, resource_version, generation, deleted, object, internal)
        SELECT kind, namespace, name, uid, stream_id, stream_version, resource_version, generation, deleted, object, internal
        FROM jsonb_to_recordset($2::jsonb) AS r(kind text, namespace text, name text, uid text, stream_id text, stream_version int,
          resource_version bigint, generation int, deleted boolean, object jsonb, internal jsonb)
        WHERE (SELECT ok FROM go)
        ON CONFLICT (kind, namespace, name) DO UPDATE SET
          uid = EXCLUDED.uid, stream_id = EXCLUDED.stream_id, stream_version = EXCLUDED.stream_version,
          resource_version = EXCLUDED.resource_version, generation = EXCLUDED.generation, deleted = EXCLUDED.deleted,
          object = EXCLUDED.object, internal = EXCLUDED.internal
      ),
      ch AS (
        INSERT INTO ${this.changes} (position, seq, kind, namespace, name, type, object)
        SELECT position, seq, kind, namespace, name, type, object
        FROM jsonb_to_recordset($3::jsonb) AS c(position bigint, seq int, kind text, namespace text, name text, type text, object jsonb)
        WHERE (SELECT ok FROM go)
      ),
      tk AS (
        INSERT INTO ${this.tokens} (id, hash_hex, role, namespace, name, revoked, position)
        SELECT id, hash_hex, role, namespace, name, revoked, position
        FROM jsonb_to_recordset($4::jsonb) AS t(id text, hash_hex text, role text, namespace text, name text, revoked boolean, position bigint)
        WHERE (SELECT ok FROM go)
        ON CONFLICT (id) DO UPDATE SET hash_hex = EXCLUDED.hash_hex, role = EXCLUDED.role, namespace = EXCLUDED.namespace,
          name = EXCLUDED.name, revoked = EXCLUDED.revoked, position = EXCLUDED.position
      ),
      rv AS (
        UPDATE ${this.tokens} t SET revoked = true, position = r.position
        FROM unnest($5::text[], $6::bigint[]) AS r(id, position)
        WHERE t.id = r.id AND (SELECT ok FROM go)
      )
      ${next ? `, ${next.ctes}` : ''}
      SELECT (SELECT ok FROM go) AS applied, (SELECT v FROM sc) AS sync, $7::int AS rows, $8::int AS changes${next ? `, ${next.events} AS next_events, ${next.rows} AS next_rows` : ''}`;
    const tokens = [...writes.tokens.values()].map((t) => ({ id: t.id, hash_hex: t.hashHex, role: t.role, namespace: t.namespace, name: t.name, revoked: t.revoked, position: t.position }));
    const values: unknown[] = [
      removed,
      JSON.stringify([...byKey.values()]),
      JSON.stringify(writes.changes),
      JSON.stringify(tokens),
      [...writes.revocations.keys()],
      [...writes.revocations.values()],
      byKey.size,
      writes.changes.length,
    ];
    if (checkpoint) values.push(checkpoint.to, checkpoint.name, checkpoint.from);
    if (next) values.push(prefetch);
    return { text, values };
  }
}

/** Events as `batchRead` returns them (to_jsonb of the rows). */
export interface JsonEventRecord {
  global_position: number;
  stream_id: string;
  stream_version: number;
  event_id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: string;
}

export function eventFromJson(record: JsonEventRecord): RecordedEvent {
  return {
    globalPosition: Number(record.global_position),
    streamId: record.stream_id,
    streamVersion: record.stream_version,
    eventId: record.event_id,
    type: record.type,
    data: record.data as EventData<never>,
    metadata: record.metadata,
    recordedAt: new Date(record.recorded_at),
  };
}

export function rowFromJson(record: ObjectRowRecord & { resource_version: string | number }): ObjectRow {
  return toObjectRow({ ...record, resource_version: String(record.resource_version), internal: record.internal ?? ({} as JsonObject) });
}
