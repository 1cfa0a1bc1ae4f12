import type { Status } from '@berth/contracts';

/** What arrives over the wire: the contract's shapes, but nothing can be assumed present. */
export type Wire<T> = T extends readonly (infer U)[] ? Wire<U>[] : T extends object ? { [K in keyof T]?: Wire<T[K]> } : T;

export interface WireObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

/** Any Kubernetes-shaped object. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: WireObjectMeta;
  [field: string]: unknown;
}

export interface ObjectList<T = KubeObject> {
  kind?: string;
  apiVersion?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T = KubeObject> {
  type: WatchEventType;
  object: T;
}

export type ApplyAction = 'created' | 'configured' | 'unchanged' | 'failed';

export interface ApplyResultItem {
  kind?: string;
  apiVersion?: string;
  namespace?: string;
  name?: string;
  action: ApplyAction;
  status?: Status;
  warnings?: string[];
}

export interface ApplyResult {
  kind: 'ApplyResult';
  items: ApplyResultItem[];
}

export interface RevisionInfo {
  revision: number;
  templateHash?: string;
  images?: string[];
  createdAt?: string;
  changeCause?: string;
}

export interface DeploymentHistory {
  kind: 'DeploymentHistory';
  revisions: RevisionInfo[];
}

export interface ResourceUsage {
  cpu?: string;
  memory?: string;
}

export interface NodeMetrics {
  metadata?: WireObjectMeta;
  timestamp?: string;
  window?: string;
  usage?: ResourceUsage;
}

export interface PodMetrics {
  metadata?: WireObjectMeta;
  timestamp?: string;
  window?: string;
  containers?: { name?: string; usage?: ResourceUsage }[];
}

export interface VersionInfo {
  gitVersion?: string;
  major?: string;
  minor?: string;
  platform?: string;
  [field: string]: unknown;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checked on receipt: an object with (if any) an object as metadata. */
export function isKubeObject(value: unknown): value is KubeObject {
  return isRecord(value) && (value.metadata === undefined || isRecord(value.metadata));
}

export function isObjectList(value: unknown): value is ObjectList {
  return isRecord(value) && Array.isArray(value.items) && value.items.every(isKubeObject);
}

const WATCH_TYPES: readonly string[] = ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'];
export function isWatchEvent(value: unknown): value is WatchEvent {
  return isRecord(value) && typeof value.type === 'string' && WATCH_TYPES.includes(value.type) && isKubeObject(value.object);
}

const APPLY_ACTIONS: readonly string[] = ['created', 'configured', 'unchanged', 'failed'];
export function isApplyResult(value: unknown): value is ApplyResult {
  return (
    isRecord(value) &&
    value.kind === 'ApplyResult' &&
    Array.isArray(value.items) &&
    value.items.every((item) => isRecord(item) && typeof item.action === 'string' && APPLY_ACTIONS.includes(item.action))
  );
}

export function isDeploymentHistory(value: unknown): value is DeploymentHistory {
  return isRecord(value) && Array.isArray(value.revisions) && value.revisions.every((r) => isRecord(r) && typeof r.revision === 'number');
}
