import { EventData, RecordedEvent } from '@berth/contracts';
import { ApiObjectKind, JsonObject, ObjectRow } from './api-object.model';
import { asRecord, derivedUid, kubeTime, renderMeta } from './view-kit.util';

/** Internal state of the objects users write whole (Namespace, Service, HorizontalPodAutoscaler). */
export interface ManifestInternal {
  /** The manifest as last written (server fields stripped, uid set). */
  manifest: JsonObject;
  createdAt: string;
  generation: number;
  status?: JsonObject;
}

interface ManifestKindSpec {
  kind: ApiObjectKind;
  apiVersion: string;
  namespaced: boolean;
  /** Kubernetes sets metadata.generation on these kinds. */
  hasGeneration: boolean;
  created: string;
  updated: string;
  deleted: string;
  defaultStatus: JsonObject;
  /** Other events of the stream that change the object (e.g. an autoscaler decision). */
  extra?: (internal: ManifestInternal, event: RecordedEvent) => ManifestInternal | undefined;
  /** Parts of the object besides metadata and status. */
  body: (manifest: JsonObject) => JsonObject;
}

function keyOf(streamId: string, namespaced: boolean): { namespace: string; name: string } {
  const id = streamId.slice(streamId.indexOf(':') + 1);
  if (!namespaced) return { namespace: '', name: id };
  const slash = id.indexOf('/');
  return { namespace: id.slice(0, slash), name: id.slice(slash + 1) };
}

export function renderManifestObject(spec: ManifestKindSpec, row: Pick<ObjectRow, 'uid' | 'resourceVersion'>, internal: ManifestInternal): JsonObject {
  return {
    apiVersion: spec.apiVersion,
    kind: spec.kind,
    metadata: renderMeta(asRecord(internal.manifest['metadata']) ?? {}, {
      uid: row.uid,
      resourceVersion: row.resourceVersion,
      ...(spec.hasGeneration ? { generation: internal.generation } : {}),
      creationTimestamp: internal.createdAt,
    }),
    ...spec.body(internal.manifest),
    status: internal.status ?? spec.defaultStatus,
  };
}

/** The fold of a kind whose events carry the whole manifest. */
export function manifestFold(spec: ManifestKindSpec) {
  return (previous: ObjectRow | undefined, event: RecordedEvent): ObjectRow | null | undefined => {
    const key = keyOf(event.streamId, spec.namespaced);
    const base = {
      kind: spec.kind,
      namespace: key.namespace,
      name: key.name,
      streamId: event.streamId,
      streamVersion: event.streamVersion,
    };
    if (event.type === spec.created) {
      const { manifest } = event.data as EventData<'DeploymentCreated'>;
      const uid = asRecord(manifest['metadata'])?.['uid'];
      const internal: ManifestInternal = { manifest, createdAt: kubeTime(event.recordedAt), generation: 1 };
      const row = { ...base, uid: typeof uid === 'string' && uid ? uid : derivedUid(`${event.streamId}@${event.globalPosition}`), resourceVersion: 0 };
      return { ...row, generation: spec.hasGeneration ? 1 : 0, deleted: false, internal: internal as unknown as JsonObject, object: renderManifestObject(spec, row, internal) };
    }
    if (!previous) return undefined;
    const current = previous.internal as unknown as ManifestInternal;
    let next: ManifestInternal | undefined;
    let deleted = previous.deleted;
    if (previous.deleted) next = undefined;
    else if (event.type === spec.updated) {
      const { manifest } = event.data as EventData<'DeploymentUpdated'>;
      next = { ...current, manifest, generation: current.generation + 1 };
    } else if (event.type === spec.deleted) {
      next = current;
      deleted = true;
    } else next = spec.extra?.(current, event);
    if (!next) return { ...previous, streamVersion: event.streamVersion };
    const row = { ...previous, streamVersion: event.streamVersion, deleted, generation: spec.hasGeneration ? next.generation : 0 };
    return { ...row, internal: next as unknown as JsonObject, object: renderManifestObject(spec, { uid: row.uid, resourceVersion: 0 }, next) };
  };
}

export const namespaceSpec: ManifestKindSpec = {
  kind: 'Namespace',
  apiVersion: 'v1',
  namespaced: false,
  hasGeneration: false,
  created: 'NamespaceCreated',
  updated: 'NamespaceUpdated',
  deleted: 'NamespaceDeleted',
  defaultStatus: { phase: 'Active' },
  body: () => ({ spec: { finalizers: ['kubernetes'] } }),
};

export const serviceSpec: ManifestKindSpec = {
  kind: 'Service',
  apiVersion: 'v1',
  namespaced: true,
  hasGeneration: false,
  created: 'ServiceCreated',
  updated: 'ServiceUpdated',
  deleted: 'ServiceDeleted',
  defaultStatus: { loadBalancer: {} },
  body: (manifest) => ({ spec: manifest['spec'] ?? {} }),
};

export const hpaSpec: ManifestKindSpec = {
  kind: 'HorizontalPodAutoscaler',
  apiVersion: 'autoscaling/v2',
  namespaced: true,
  hasGeneration: true,
  created: 'HorizontalPodAutoscalerCreated',
  updated: 'HorizontalPodAutoscalerUpdated',
  deleted: 'HorizontalPodAutoscalerDeleted',
  defaultStatus: { currentReplicas: 0, desiredReplicas: 0 },
  body: (manifest) => ({ spec: manifest['spec'] ?? {} }),
  extra: (internal, event) => {
    if (event.type !== 'HorizontalPodAutoscalerDecided') return undefined;
    const decision = event.data as EventData<'HorizontalPodAutoscalerDecided'>;
    const previous = internal.status ?? {};
    const rescaled = decision.desiredReplicas !== decision.currentReplicas;
    const at = kubeTime(event.recordedAt);
    return {
      ...internal,
      status: {
        observedGeneration: internal.generation,
        ...(rescaled ? { lastScaleTime: at } : previous['lastScaleTime'] ? { lastScaleTime: previous['lastScaleTime'] } : {}),
        currentReplicas: decision.currentReplicas,
        desiredReplicas: decision.desiredReplicas,
        conditions: [{ type: 'ScalingActive', status: 'True', reason: rescaled ? 'SucceededRescale' : 'ValidMetricFound', message: decision.reason, lastTransitionTime: at }],
      },
    };
  },
};

export const foldNamespace = manifestFold(namespaceSpec);
export const foldService = manifestFold(serviceSpec);
export const foldHpa = manifestFold(hpaSpec);
