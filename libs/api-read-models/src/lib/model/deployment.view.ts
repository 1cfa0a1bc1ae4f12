import { EventData, RecordedEvent } from '@berth/contracts';
import { templateHash } from '@berth/cluster-state';
import { JsonObject, ObjectRow } from './api-object.model';
import { ManifestInternal } from './manifest-object.view';
import { asRecord, derivedUid, kubeTime, renderMeta } from './view-kit.util';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';

/** One revision of a Deployment's pod template (a ReplicaSet in Kubernetes). */
export interface RevisionInfo {
  revision: number;
  templateHash: string;
  template: JsonObject;
  createdAt: string;
  changeCause?: string;
}

export interface DeploymentInternal extends ManifestInternal {
  revisions: RevisionInfo[];
}

function specOf(manifest: JsonObject): JsonObject {
  return asRecord(manifest['spec']) ?? {};
}

function withSpec(manifest: JsonObject, patch: JsonObject): JsonObject {
  return { ...manifest, spec: { ...specOf(manifest), ...patch } };
}

export function currentTemplateHash(manifest: JsonObject): string {
  return templateHash(asRecord(specOf(manifest)['template']) ?? {});
}

/**
 * The revision a rollback goes to, like `kubectl rollout undo`: `toRevision` 0 is the newest
 * revision whose template differs from the current one.
 */
export function rollbackTarget(internal: DeploymentInternal, toRevision: number): RevisionInfo | undefined {
  if (toRevision !== 0) return internal.revisions.find((r) => r.revision === toRevision);
  const current = currentTemplateHash(internal.manifest);
  return [...internal.revisions].sort((a, b) => b.revision - a.revision).find((r) => r.templateHash !== current);
}

export function renderDeployment(row: Pick<ObjectRow, 'uid' | 'resourceVersion'>, internal: DeploymentInternal): JsonObject {
  const hash = currentTemplateHash(internal.manifest);
  const revision = internal.revisions.find((r) => r.templateHash === hash)?.revision;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: renderMeta(asRecord(internal.manifest['metadata']) ?? {}, {
      uid: row.uid,
      resourceVersion: row.resourceVersion,
      generation: internal.generation,
      creationTimestamp: internal.createdAt,
      ...(revision !== undefined ? { extraAnnotations: { [REVISION_ANNOTATION]: String(revision) } } : {}),
    }),
    spec: specOf(internal.manifest),
    status: internal.status ?? {},
  };
}

function fold(current: DeploymentInternal, event: RecordedEvent): DeploymentInternal | undefined {
  switch (event.type) {
    case 'DeploymentUpdated':
      return { ...current, manifest: (event.data as EventData<'DeploymentUpdated'>).manifest, generation: current.generation + 1 };
    case 'DeploymentScaled':
      return { ...current, manifest: withSpec(current.manifest, { replicas: (event.data as EventData<'DeploymentScaled'>).replicas }) };
    case 'DeploymentPaused':
    case 'DeploymentResumed':
      return { ...current, manifest: withSpec(current.manifest, { paused: event.type === 'DeploymentPaused' }) };
    case 'DeploymentRolledBack': {
      const target = rollbackTarget(current, (event.data as EventData<'DeploymentRolledBack'>).toRevision);
      return target ? { ...current, manifest: withSpec(current.manifest, { template: target.template }) } : undefined;
    }
    case 'DeploymentRevisionCreated': {
      const data = event.data as EventData<'DeploymentRevisionCreated'>;
      const existing = current.revisions.find((r) => r.templateHash === data.templateHash);
      const cause = asRecord(asRecord(current.manifest['metadata'])?.['annotations'])?.[CHANGE_CAUSE_ANNOTATION];
      const revision: RevisionInfo = existing
        ? { ...existing, revision: data.revision }
        : {
            revision: data.revision,
            templateHash: data.templateHash,
            template: data.template,
            createdAt: kubeTime(event.recordedAt),
            ...(typeof cause === 'string' ? { changeCause: cause } : {}),
          };
      return { ...current, revisions: [...current.revisions.filter((r) => r !== existing), revision].sort((a, b) => a.revision - b.revision) };
    }
    case 'DeploymentStatusChanged':
      return { ...current, status: (event.data as EventData<'DeploymentStatusChanged'>).status };
    default:
      return undefined;
  }
}

export function foldDeployment(previous: ObjectRow | undefined, event: RecordedEvent): ObjectRow | null | undefined {
  const id = event.streamId.slice('deployment:'.length);
  const slash = id.indexOf('/');
  if (event.type === 'DeploymentCreated') {
    const { manifest } = event.data as EventData<'DeploymentCreated'>;
    const uid = asRecord(manifest['metadata'])?.['uid'];
    const internal: DeploymentInternal = { manifest, createdAt: kubeTime(event.recordedAt), generation: 1, revisions: [] };
    const row = {
      kind: 'Deployment' as const,
      namespace: id.slice(0, slash),
      name: id.slice(slash + 1),
      uid: typeof uid === 'string' && uid ? uid : derivedUid(`${event.streamId}@${event.globalPosition}`),
      streamId: event.streamId,
      streamVersion: event.streamVersion,
      resourceVersion: 0,
      generation: 1,
      deleted: false,
    };
    return { ...row, internal: internal as unknown as JsonObject, object: renderDeployment(row, internal) };
  }
  if (!previous) return undefined;
  const touched = { ...previous, streamVersion: event.streamVersion };
  if (previous.deleted) return touched;
  if (event.type === 'DeploymentDeleted') return { ...touched, deleted: true };
  const next = fold(previous.internal as unknown as DeploymentInternal, event);
  if (!next) return touched;
  return { ...touched, generation: next.generation, internal: next as unknown as JsonObject, object: renderDeployment({ uid: previous.uid, resourceVersion: 0 }, next) };
}
