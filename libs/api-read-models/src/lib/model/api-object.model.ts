/** Kinds the API serves from the read model. */
export const API_OBJECT_KINDS = ['Namespace', 'Deployment', 'Service', 'HorizontalPodAutoscaler', 'Node', 'Pod', 'Event'] as const;
export type ApiObjectKind = (typeof API_OBJECT_KINDS)[number];

export type JsonObject = Record<string, unknown>;

/** One row of `api_objects`: a Kubernetes object as of `resourceVersion`, plus what the projection needs to go on. */
export interface ObjectRow {
  kind: ApiObjectKind;
  /** '' for cluster-scoped kinds. */
  namespace: string;
  name: string;
  uid: string;
  /** The log stream this object is folded from; null for derived objects (Event). */
  streamId: string | null;
  /** Version of that stream as last seen: the expected version of the next append. */
  streamVersion: number;
  /** Global position of the last event that changed the object. */
  resourceVersion: number;
  generation: number;
  /** A tombstone: the stream's object was deleted (kept so a re-create knows the stream version). */
  deleted: boolean;
  /** The object as the API returns it (status included). */
  object: JsonObject;
  /** The projection's own state for this object (revisions, replica phase, ...); never served as is. */
  internal: JsonObject;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One entry of the watch feed (`api_changes`), written with the object change it reports. */
export interface ObjectChange {
  position: number;
  seq: number;
  kind: ApiObjectKind;
  namespace: string;
  name: string;
  type: ChangeType;
  object: JsonObject;
}

export const TOKEN_ROLES = ['admin', 'edit', 'view'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

/** A bearer token as the log describes it (TokenCreated / TokenRevoked); the secret itself is never stored. */
export interface TokenRecord {
  id: string;
  /** sha256 of the token, lowercase hex. */
  hashHex: string;
  role: TokenRole;
  /** Absent: the role holds cluster-wide. */
  namespace?: string;
  name?: string;
  revoked: boolean;
}

export function isNamespacedKind(kind: ApiObjectKind): boolean {
  return kind !== 'Namespace' && kind !== 'Node';
}
