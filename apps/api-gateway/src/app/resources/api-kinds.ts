import { ApiObjectKind } from '@berth/api-read-models';
import { COMMON_SELECTABLE_FIELDS } from '../shared/selectors';

/** How the API names and serves one kind of object. */
export interface ApiKind {
  kind: ApiObjectKind;
  apiVersion: string;
  /** API group, '' for the core group. */
  group: string;
  plural: string;
  listKind: string;
  namespaced: boolean;
  /** Fields a `fieldSelector` may name. */
  selectableFields: readonly string[];
}

function kind(kind: ApiObjectKind, apiVersion: string, plural: string, namespaced: boolean, extraFields: readonly string[] = []): ApiKind {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return { kind, apiVersion, group, plural, listKind: `${kind}List`, namespaced, selectableFields: [...COMMON_SELECTABLE_FIELDS, ...extraFields] };
}

export const NAMESPACES = kind('Namespace', 'v1', 'namespaces', false, ['status.phase']);
export const DEPLOYMENTS = kind('Deployment', 'apps/v1', 'deployments', true);
export const SERVICES = kind('Service', 'v1', 'services', true, ['spec.type']);
export const HPAS = kind('HorizontalPodAutoscaler', 'autoscaling/v2', 'horizontalpodautoscalers', true);
export const NODES = kind('Node', 'v1', 'nodes', false, ['spec.unschedulable']);
export const PODS = kind('Pod', 'v1', 'pods', true, ['spec.nodeName', 'status.phase']);
export const EVENTS = kind('Event', 'v1', 'events', true, [
  'involvedObject.kind',
  'involvedObject.name',
  'involvedObject.namespace',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'reason',
  'type',
  'source',
]);

export const API_KINDS: readonly ApiKind[] = [NAMESPACES, DEPLOYMENTS, SERVICES, HPAS, NODES, PODS, EVENTS];

/** The key a cluster-scoped object is stored under has namespace ''. */
export function namespaceKey(kind: ApiKind, namespace: string | undefined): string {
  return kind.namespaced ? (namespace ?? '') : '';
}
