import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@berth/contracts';
import { Projection } from '@berth/event-store';
import { JsonObject, ObjectRow } from '../model/api-object.model';
import { BatchWrites, foldBatch, kubeEventKey, renderKubeEvents, streamsRead } from '../model/batch-fold';
import { ObjectRowRecord, toObjectRow } from './object-rows';
import { ReadModelSql } from './read-model.sql';
import { API_PROJECTION_NAME } from './sql-names';

/** Empties the API read models (the start of a rebuild). */
export async function resetApiReadModels(sql: ReadModelSql, query: (text: string) => Promise<unknown>): Promise<void> {
  for (const table of [sql.objects, sql.changes, sql.tokens, sql.meta]) await query(`DELETE FROM ${table}`);
}

/**
 * Reads what the drafts of a batch add to (stored Events) and renders them into `writes`.
 * `load` runs `kubeEventsByKey` with the keys' namespaces and names.
 */
export async function completeKubeEvents(
  sql: ReadModelSql,
  drafts: ReturnType<typeof foldBatch>['drafts'],
  writes: BatchWrites,
  load: (text: string, values: unknown[]) => Promise<{ namespace: string; name: string; object: JsonObject }[]>,
): Promise<void> {
  if (drafts.length === 0) return;
  const keys = [...new Set(drafts.map((d) => kubeEventKey(d.draft)))];
  const split = keys.map((key) => [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)]);
  const stored = await load(sql.kubeEventsByKey, [split.map((k) => k[0]), split.map((k) => k[1])]);
  const existing = new Map<string, JsonObject | null>(stored.map((e) => [`${e.namespace}/${e.name}`, e.object]));
  renderKubeEvents(drafts, existing, writes);
}

/**
 * The API read models (objects, watch feed, tokens) as a Projection for ProjectionRunner:
 * each event is folded and written inside the runner's transaction, with its checkpoint.
 * The gateway runs the same fold through BatchProjectionRunner (fewer round trips); both give
 * the same read model, which the specs check.
 */
export class ApiObjectsProjection implements Projection {
  readonly name = API_PROJECTION_NAME;
  private readonly sql: ReadModelSql;

  constructor(schema: string) {
    this.sql = new ReadModelSql(schema);
  }

  async reset(manager: EntityManager): Promise<void> {
    await resetApiReadModels(this.sql, (text) => manager.query(text));
  }

  async apply(event: RecordedEvent, manager: EntityManager): Promise<void> {
    const wanted = streamsRead(event);
    const rows = new Map<string, ObjectRow | null>();
    if (wanted.length > 0) {
      const records: ObjectRowRecord[] = await manager.query(this.sql.rowsOfStreams, [wanted]);
      for (const record of records) if (record.stream_id) rows.set(record.stream_id, toObjectRow(record));
    }
    const { writes, drafts } = foldBatch([event], rows);
    await completeKubeEvents(this.sql, drafts, writes, (text, values) => manager.query(text, values));
    const { text, values } = this.sql.write(writes);
    await manager.query(text, values);
  }
}
