import { createHash } from 'node:crypto';
import { canonicalJson } from '@berth/cluster-state';
import { JsonObject } from './api-object.model';

export function asRecord(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function asStringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(asRecord(value) ?? {})) if (typeof v === 'string') out[key] = v;
  return out;
}

/** RFC 3339 in whole seconds, as Kubernetes prints timestamps. */
export function kubeTime(at: Date | string | number): string {
  const date = at instanceof Date ? at : new Date(at);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A UUID-shaped id derived from a seed: objects that have no uid in the log get the same one on every rebuild. */
export function derivedUid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Fields of metadata the server owns: never taken from a user's manifest. */
export const SERVER_META_FIELDS = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'managedFields', 'selfLink'] as const;

/**
 * The metadata an object is served with: name/namespace first, then the server's fields, then
 * labels and annotations (the order kubectl users are used to).
 */
export function renderMeta(
  manifestMeta: JsonObject,
  server: { uid: string; resourceVersion: number; generation?: number; creationTimestamp: string; extraAnnotations?: Record<string, string> },
): JsonObject {
  const meta: JsonObject = { name: manifestMeta['name'] };
  if (typeof manifestMeta['generateName'] === 'string') meta['generateName'] = manifestMeta['generateName'];
  if (typeof manifestMeta['namespace'] === 'string') meta['namespace'] = manifestMeta['namespace'];
  meta['uid'] = server.uid;
  meta['resourceVersion'] = String(server.resourceVersion);
  if (server.generation !== undefined) meta['generation'] = server.generation;
  meta['creationTimestamp'] = server.creationTimestamp;
  const labels = asRecord(manifestMeta['labels']);
  if (labels && Object.keys(labels).length > 0) meta['labels'] = labels;
  const annotations = { ...asStringMap(manifestMeta['annotations']), ...(server.extraAnnotations ?? {}) };
  if (Object.keys(annotations).length > 0) meta['annotations'] = annotations;
  return meta;
}

/**
 * Equal apart from metadata.resourceVersion, whatever the key order (jsonb reorders keys):
 * two renders differ only if the object really changed.
 */
export function sameObject(a: JsonObject | undefined, b: JsonObject | undefined): boolean {
  if (!a || !b) return a === b;
  return canonicalJson(withoutResourceVersion(a)) === canonicalJson(withoutResourceVersion(b));
}

function withoutResourceVersion(object: JsonObject): JsonObject {
  const meta = asRecord(object['metadata']);
  if (!meta) return object;
  const { resourceVersion: _rv, ...rest } = meta;
  return { ...object, metadata: rest };
}

/** Sets metadata.resourceVersion (the position of the change being recorded). */
export function withResourceVersion(object: JsonObject, position: number): JsonObject {
  return { ...object, metadata: { ...(asRecord(object['metadata']) ?? {}), resourceVersion: String(position) } };
}

/** Resource quantities the way a Node reports them: cpu in cores or millicores, memory in Ki. */
export function cpuQuantity(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${Math.round(milli)}m`;
}

export function memoryQuantity(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024}Ki` : String(Math.round(bytes));
}
