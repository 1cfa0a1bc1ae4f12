import { ApiObjectKind, JsonObject, ObjectRow } from '../model/api-object.model';

/** How `api_objects` rows come back from pg (bigints as strings). */
export interface ObjectRowRecord {
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  stream_id: string | null;
  stream_version: number;
  resource_version: string;
  generation: number;
  deleted: boolean;
  object: JsonObject;
  internal?: JsonObject;
}

export const ROW_COLUMNS = 'kind, namespace, name, uid, stream_id, stream_version, resource_version, generation, deleted, object';

export function toObjectRow(record: ObjectRowRecord): ObjectRow {
  return {
    kind: record.kind as ApiObjectKind,
    namespace: record.namespace,
    name: record.name,
    uid: record.uid,
    streamId: record.stream_id,
    streamVersion: record.stream_version,
    resourceVersion: Number(record.resource_version),
    generation: record.generation,
    deleted: record.deleted,
    object: record.object,
    internal: record.internal ?? {},
  };
}
