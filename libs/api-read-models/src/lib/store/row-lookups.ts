import { Pool } from 'pg';
import { ApiObjectKind, ObjectRow } from '../model/api-object.model';
import { ObjectRowRecord, ROW_COLUMNS, toObjectRow } from './object-rows';
import { API_PROJECTION_NAME } from './sql-names';

/** The key of a row in `api_objects`. */
export interface RowKey {
  kind: ApiObjectKind;
  namespace: string;
  name: string;
}

export interface RowsSnapshot {
  /** Log position the read model was at when the rows were read. */
  position: number;
  /** The row of each key (tombstones included), undefined where there is none. */
  rows: (ObjectRow | undefined)[];
}

interface Pending {
  seq: number;
  keys: RowKey[];
  resolve: (snapshot: RowsSnapshot) => void;
  reject: (error: unknown) => void;
}

/** Statements in flight at once; lookups that arrive meanwhile wait and go together. */
const MAX_IN_FLIGHT = 2;
/** Keys per statement. */
const MAX_KEYS = 500;

/**
 * Lookups of rows by key, coalesced: while MAX_IN_FLIGHT statements run, new lookups queue
 * and the next statement serves them all (the event store's group commit, for reads). Idle,
 * a lookup goes out at once; under load one round trip serves many requests. Each lookup's
 * rows and position still come from one statement, hence one snapshot.
 */
export class RowLookups {
  /** Queued lookups, by whether they want the `internal` column. */
  private readonly queues = new Map<boolean, Pending[]>([
    [false, []],
    [true, []],
  ]);
  private inFlight = 0;
  private seq = 0;
  private readonly text: Record<'plain' | 'internal', string>;

  constructor(
    private readonly pool: Pool,
    objects: string,
    checkpoints: string,
  ) {
    const columns = ROW_COLUMNS.split(', ')
      .map((c) => `o.${c}`)
      .join(', ');
    const statement = (extra: string) =>
      `SELECT (SELECT position FROM ${checkpoints} WHERE name = $1) AS checkpoint, k.i, ${columns}${extra}
       FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS k(kind, namespace, name, i)
       LEFT JOIN ${objects} o ON o.kind = k.kind AND o.namespace = k.namespace AND o.name = k.name`;
    this.text = { plain: statement(''), internal: statement(', o.internal') };
  }

  find(keys: RowKey[], internal: boolean): Promise<RowsSnapshot> {
    if (keys.length === 0) return Promise.resolve({ position: 0, rows: [] });
    return new Promise<RowsSnapshot>((resolve, reject) => {
      (this.queues.get(internal) as Pending[]).push({ seq: this.seq++, keys, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < MAX_IN_FLIGHT) {
      // The queue whose head has waited longest goes first.
      const [plain, internal] = [this.queues.get(false) as Pending[], this.queues.get(true) as Pending[]];
      const withInternal = internal.length > 0 && (plain.length === 0 || internal[0].seq < plain[0].seq);
      const queue = withInternal ? internal : plain;
      if (queue.length === 0) return;
      let keys = 0;
      let take = 0;
      while (take < queue.length && (take === 0 || keys + queue[take].keys.length <= MAX_KEYS)) keys += queue[take++].keys.length;
      const batch = queue.splice(0, take);
      this.inFlight++;
      void this.run(batch, withInternal).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async run(batch: Pending[], internal: boolean): Promise<void> {
    const keys = batch.flatMap((p) => p.keys);
    let records: (ObjectRowRecord & { checkpoint: string | null; i: string })[];
    try {
      const result = await this.pool.query<ObjectRowRecord & { checkpoint: string | null; i: string }>(internal ? this.text.internal : this.text.plain, [
        API_PROJECTION_NAME,
        keys.map((k) => k.kind),
        keys.map((k) => k.namespace),
        keys.map((k) => k.name),
      ]);
      records = result.rows;
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    const position = Number(records[0]?.checkpoint ?? 0);
    const rows: (ObjectRow | undefined)[] = keys.map(() => undefined);
    for (const record of records) if (record.kind) rows[Number(record.i) - 1] = toObjectRow(record);
    let offset = 0;
    for (const pending of batch) {
      pending.resolve({ position, rows: rows.slice(offset, offset + pending.keys.length) });
      offset += pending.keys.length;
    }
  }
}
