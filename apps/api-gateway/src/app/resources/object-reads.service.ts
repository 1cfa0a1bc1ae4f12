import { Inject, Injectable } from '@nestjs/common';
import { ApiObjectReader, ApiReadModels, ObjectRow, ObjectSnapshot, ProjectionPump } from '@berth/api-read-models';
import { GATEWAY_CONFIG, GatewayConfig } from '../app.config';
import { ResourceNotFound } from '../shared/api-errors';
import { ApiReply, ApiStream, KubeList, KubeObject } from '../shared/api-reply';
import { encodeContinue, ListOptions, parseListOptions, parseResourceVersion } from '../shared/list-options';
import { fieldsMatch, labelsMatch } from '../shared/selectors';
import { WatchService } from '../watch/watch.service';
import { ApiKind, namespaceKey } from './api-kinds';

/** Rows examined per page when a selector must be checked in memory. */
const FILTERED_PAGE_ROWS = 5_000;
/** An unpaginated list reads at most this many rows (then it answers with a `continue`). */
const MAX_LIST_ROWS = 100_000;

/** A live object and the position it was read at (what writers start from). */
export interface LiveObject {
  row: ObjectRow;
  position: number;
}

/** Reads of the API objects: get, list (selectors, pages), watch; each consistent with the position it reports. */
@Injectable()
export class ObjectReads {
  constructor(
    private readonly reader: ApiObjectReader,
    private readonly pump: ProjectionPump,
    private readonly watches: WatchService,
    private readonly models: ApiReadModels,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** Waits until the read model is at least at `resourceVersion` (Kubernetes' "not older than"). */
  async notOlderThan(resourceVersion: number | undefined): Promise<void> {
    if (resourceVersion !== undefined && resourceVersion > this.pump.position) await this.pump.waitFor(resourceVersion, this.config.READ_WAIT_MS);
  }

  /** The live object (not a tombstone), or ResourceNotFound. */
  async live(kind: ApiKind, namespace: string | undefined, name: string, internal = false): Promise<LiveObject> {
    const snapshot = await this.snapshot(kind, namespace, name, internal);
    if (!snapshot.row || snapshot.row.deleted) throw new ResourceNotFound(kind, name);
    return { row: snapshot.row, position: snapshot.position };
  }

  /**
   * One row, never from a read model older than what this process already answered with: after a
   * Postgres crash the read model may have lost its newest batches (see ProjectionPump.regressed),
   * and a write decided on such a row would be decided on the past (a scale taken for a no-op).
   */
  private async snapshot(kind: ApiKind, namespace: string | undefined, name: string, internal: boolean): Promise<ObjectSnapshot> {
    const floor = this.pump.position;
    const snapshot = await this.reader.get(kind.kind, namespaceKey(kind, namespace), name, { internal });
    if (snapshot.position >= floor) return snapshot;
    this.pump.regressed(snapshot.position);
    await this.pump.waitFor(floor, this.config.READ_WAIT_MS);
    return this.reader.get(kind.kind, namespaceKey(kind, namespace), name, { internal });
  }

  /**
   * The object right after a write at `position` to `streamId`: the row this process's
   * projection wrote, else read back. Never older than the write.
   */
  async afterWrite(kind: ApiKind, namespace: string | undefined, name: string, streamId: string, position: number): Promise<ObjectRow> {
    const recent = this.models.runner.recentRow(streamId, position);
    if (recent && !recent.deleted && recent.name === name) return recent;
    return (await this.live(kind, namespace, name)).row;
  }

  /** The row including tombstones (its stream version is what a re-create must expect). */
  async row(kind: ApiKind, namespace: string | undefined, name: string, internal = false): Promise<ObjectRow | undefined> {
    return (await this.snapshot(kind, namespace, name, internal)).row;
  }

  /** Several rows (tombstones included) read together: one round trip, one snapshot. */
  async rows(keys: { kind: ApiKind; namespace: string | undefined; name: string }[], internal = false): Promise<(ObjectRow | undefined)[]> {
    return this.reader.getRows(
      keys.map((k) => ({ kind: k.kind.kind, namespace: namespaceKey(k.kind, k.namespace), name: k.name })),
      { internal },
    );
  }

  async get(kind: ApiKind, namespace: string | undefined, name: string, query: Record<string, string> = {}): Promise<ApiReply<KubeObject>> {
    await this.notOlderThan(parseResourceVersion(query['resourceVersion']));
    return new ApiReply((await this.live(kind, namespace, name)).row.object);
  }

  /** GET on a collection: a list, or a watch stream with `?watch=true`. */
  async listOrWatch(kind: ApiKind, namespace: string | undefined, query: Record<string, string>, gone: AbortSignal): Promise<ApiReply<KubeList> | ApiStream> {
    const options = parseListOptions(query, kind.selectableFields);
    if (options.watch) return this.watches.watch(kind, namespace, options, gone);
    return new ApiReply(await this.list(kind, namespace, options));
  }

  async list(kind: ApiKind, namespace: string | undefined, options: ListOptions): Promise<KubeList> {
    await this.notOlderThan(options.resourceVersion);
    const filtered = options.fields.length > 0 || (options.labels?.selector.matchExpressions?.length ?? 0) > 0;
    const rows = options.limit === 0 ? MAX_LIST_ROWS : filtered ? Math.max(options.limit, FILTERED_PAGE_ROWS) : options.limit;
    // One query per page: the items and the resourceVersion come from one snapshot.
    const snapshot = await this.reader.list(kind.kind, {
      ...(kind.namespaced ? (namespace !== undefined ? { namespace } : {}) : { namespace: '' }),
      ...(options.after ? { after: options.after } : {}),
      limit: rows + 1,
      ...(options.labels ? { labels: options.labels.equalities } : {}),
    });
    const items: KubeObject[] = [];
    let lastKey: { namespace: string; name: string } | undefined;
    let more = false;
    for (const [index, item] of snapshot.items.entries()) {
      if (index >= rows) {
        more = true;
        break;
      }
      if (options.limit > 0 && items.length === options.limit) {
        more = true;
        break;
      }
      lastKey = { namespace: item.namespace, name: item.name };
      if (labelsMatch(options.labels, item.object) && fieldsMatch(options.fields, item.object)) items.push(item.object);
    }
    return {
      kind: kind.listKind,
      apiVersion: kind.apiVersion,
      metadata: { resourceVersion: String(snapshot.position), ...(more && lastKey ? { continue: encodeContinue(lastKey) } : {}) },
      items,
    };
  }
}
