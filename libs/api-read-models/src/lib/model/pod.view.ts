import { EventData, RecordedEvent } from '@berth/contracts';
import { POD_TEMPLATE_HASH_LABEL, replicaName } from '@berth/cluster-state';
import { JsonObject, ObjectRow } from './api-object.model';
import { NodeInternal } from './node.view';
import { asRecord, asStringMap, kubeTime } from './view-kit.util';
import { FoldLookups } from './fold.model';

export type ReplicaPhase = 'Pending' | 'Scheduled' | 'Running' | 'Ready' | 'Failed' | 'Succeeded' | 'Terminating';

/** A replica as its events tell it; rendered as a read-only Pod. */
export interface PodInternal {
  uid: string;
  namespace: string;
  deployment: string;
  deploymentUid?: string;
  revision: number;
  templateHash: string;
  template: JsonObject;
  priority: number;
  phase: ReplicaPhase;
  node?: string;
  nodeAddress?: string;
  hostIp?: string;
  containerId?: string;
  ready: boolean;
  restartCount: number;
  createdAt: string;
  scheduledAt?: string;
  /** Log position and time of the last ReplicaStarted. */
  started?: { at: string; position: number };
  lastExit?: { exitCode: number; reason: string; at: string; position: number };
  failure?: { reason: string; message?: string; at: string };
  unschedulableMessage?: string;
  deletionRequestedAt?: string;
  deletionReason?: string;
  stopped: boolean;
}

export function podNameOf(internal: Pick<PodInternal, 'deployment' | 'templateHash' | 'uid'>): string {
  return replicaName(internal.deployment, internal.templateHash, internal.uid);
}

/** The Kubernetes pod phase a replica shows as. */
export function podPhase(pod: PodInternal): string {
  switch (pod.phase) {
    case 'Pending':
    case 'Scheduled':
      return 'Pending';
    case 'Running':
    case 'Ready':
      return 'Running';
    case 'Terminating':
      return pod.started && !pod.stopped ? 'Running' : 'Pending';
    default:
      return pod.phase;
  }
}

function restartPolicy(pod: PodInternal): string {
  const policy = asRecord(pod.template['spec'])?.['restartPolicy'];
  return typeof policy === 'string' ? policy : 'Always';
}

function containerState(pod: PodInternal): { state: JsonObject; lastState?: JsonObject } | undefined {
  if (!pod.node) return undefined;
  const exited = pod.lastExit
    ? { terminated: { exitCode: pod.lastExit.exitCode, reason: pod.lastExit.reason, finishedAt: pod.lastExit.at, ...(pod.containerId ? { containerID: `docker://${pod.containerId}` } : {}) } }
    : undefined;
  const runningNow = pod.started && !pod.stopped && (!pod.lastExit || pod.lastExit.position < pod.started.position);
  if (runningNow && pod.started) return { state: { running: { startedAt: pod.started.at } }, ...(exited ? { lastState: exited } : {}) };
  if (pod.stopped) return { state: exited ?? { terminated: { exitCode: 0, reason: 'Completed' } } };
  if (pod.phase === 'Failed' && pod.failure) return { state: { waiting: { reason: pod.failure.reason, ...(pod.failure.message ? { message: pod.failure.message } : {}) } } };
  if (exited) {
    if (pod.phase === 'Succeeded' || pod.phase === 'Failed') return { state: exited };
    return { state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off restarting failed container' } }, lastState: exited };
  }
  return { state: { waiting: { reason: 'ContainerCreating' } } };
}

function condition(type: string, on: boolean, at: string | undefined, extra: JsonObject = {}): JsonObject {
  return { type, status: on ? 'True' : 'False', ...extra, ...(at ? { lastTransitionTime: at } : {}) };
}

export function renderPod(row: Pick<ObjectRow, 'uid' | 'resourceVersion'>, pod: PodInternal): JsonObject {
  const templateMeta = asRecord(pod.template['metadata']) ?? {};
  const templateSpec = asRecord(pod.template['spec']) ?? {};
  const annotations = asStringMap(templateMeta['annotations']);
  const containers = Array.isArray(templateSpec['containers']) ? (templateSpec['containers'] as unknown[]).map((c) => asRecord(c) ?? {}) : [];
  const hostIP = pod.hostIp ?? pod.nodeAddress;
  const state = containerState(pod);
  const unschedulable = !pod.node && pod.unschedulableMessage !== undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podNameOf(pod),
      generateName: `${pod.deployment}-${pod.templateHash}-`,
      namespace: pod.namespace,
      uid: row.uid,
      resourceVersion: String(row.resourceVersion),
      creationTimestamp: pod.createdAt,
      ...(pod.deletionRequestedAt ? { deletionTimestamp: pod.deletionRequestedAt, deletionGracePeriodSeconds: Number(templateSpec['terminationGracePeriodSeconds'] ?? 30) } : {}),
      labels: { ...asStringMap(templateMeta['labels']), [POD_TEMPLATE_HASH_LABEL]: pod.templateHash },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: pod.deployment, uid: pod.deploymentUid ?? '', controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: { ...templateSpec, ...(pod.node ? { nodeName: pod.node } : {}), ...(pod.priority ? { priority: pod.priority } : {}) },
    status: {
      phase: podPhase(pod),
      conditions: [
        condition('PodScheduled', pod.node !== undefined, pod.scheduledAt ?? (unschedulable ? pod.createdAt : undefined), unschedulable ? { reason: 'Unschedulable', message: pod.unschedulableMessage } : {}),
        ...(pod.node ? [condition('Initialized', true, pod.scheduledAt), condition('ContainersReady', pod.ready, undefined), condition('Ready', pod.ready, undefined)] : []),
      ],
      ...(pod.failure && pod.phase === 'Failed' ? { reason: pod.failure.reason, ...(pod.failure.message ? { message: pod.failure.message } : {}) } : {}),
      ...(hostIP ? { hostIP, hostIPs: [{ ip: hostIP }] } : {}),
      ...(pod.started && hostIP ? { podIP: hostIP, podIPs: [{ ip: hostIP }] } : {}),
      ...(pod.scheduledAt ? { startTime: pod.scheduledAt } : {}),
      ...(state
        ? {
            containerStatuses: containers.slice(0, 1).map((container) => ({
              name: container['name'],
              image: container['image'],
              ...(pod.containerId ? { containerID: `docker://${pod.containerId}` } : {}),
              ready: pod.ready,
              started: state.state['running'] !== undefined,
              restartCount: pod.restartCount,
              state: state.state,
              ...(state.lastState ? { lastState: state.lastState } : {}),
            })),
          }
        : {}),
    },
  };
}

function foldInternal(pod: PodInternal, event: RecordedEvent, lookups: FoldLookups): PodInternal | undefined {
  const at = kubeTime(event.recordedAt);
  const terminating = pod.deletionRequestedAt !== undefined;
  switch (event.type) {
    case 'ReplicaScheduled': {
      const { node } = event.data as EventData<'ReplicaScheduled'>;
      const address = (lookups.node?.internal as unknown as NodeInternal | undefined)?.address || undefined;
      return { ...pod, node, nodeAddress: address, scheduledAt: at, unschedulableMessage: undefined, phase: terminating ? 'Terminating' : pod.phase === 'Pending' ? 'Scheduled' : pod.phase };
    }
    case 'ReplicaUnschedulable':
      return { ...pod, unschedulableMessage: (event.data as EventData<'ReplicaUnschedulable'>).message };
    case 'ReplicaStarted': {
      const data = event.data as EventData<'ReplicaStarted'>;
      return { ...pod, phase: terminating ? 'Terminating' : 'Running', ready: false, started: { at, position: event.globalPosition }, containerId: data.containerId, hostIp: data.hostIp, stopped: false };
    }
    case 'ReplicaReady':
      return { ...pod, ready: true, phase: terminating ? 'Terminating' : 'Ready' };
    case 'ReplicaNotReady':
      return { ...pod, ready: false, phase: terminating ? 'Terminating' : pod.phase === 'Ready' ? 'Running' : pod.phase };
    case 'ReplicaExited': {
      const data = event.data as EventData<'ReplicaExited'>;
      const policy = restartPolicy(pod);
      const after: ReplicaPhase = policy === 'Never' ? (data.exitCode === 0 ? 'Succeeded' : 'Failed') : policy === 'OnFailure' && data.exitCode === 0 ? 'Succeeded' : 'Running';
      return {
        ...pod,
        ready: false,
        restartCount: Math.max(pod.restartCount, data.restartCount),
        lastExit: { exitCode: data.exitCode, reason: data.reason, at, position: event.globalPosition },
        phase: terminating ? 'Terminating' : after,
      };
    }
    case 'ReplicaFailed': {
      const data = event.data as EventData<'ReplicaFailed'>;
      return { ...pod, ready: false, failure: { reason: data.reason, ...(data.message !== undefined ? { message: data.message } : {}), at }, phase: terminating ? 'Terminating' : 'Failed' };
    }
    case 'ReplicaDeletionRequested': {
      if (terminating) return undefined;
      const { reason } = event.data as EventData<'ReplicaDeletionRequested'>;
      return { ...pod, deletionRequestedAt: at, deletionReason: reason, phase: 'Terminating' };
    }
    case 'ReplicaStopped':
      return { ...pod, stopped: true, ready: false, phase: terminating ? 'Terminating' : 'Failed', ...(terminating ? {} : { failure: { reason: 'Stopped', at } }) };
    default:
      return undefined;
  }
}

export function foldPod(previous: ObjectRow | undefined, event: RecordedEvent, lookups: FoldLookups): ObjectRow | null | undefined {
  const uid = event.streamId.slice('replica:'.length);
  if (event.type === 'ReplicaCreated') {
    const data = event.data as EventData<'ReplicaCreated'>;
    const pod: PodInternal = {
      uid,
      namespace: data.namespace,
      deployment: data.deployment,
      ...(lookups.deployment && !lookups.deployment.deleted ? { deploymentUid: lookups.deployment.uid } : {}),
      revision: data.revision,
      templateHash: data.templateHash,
      template: data.template,
      priority: data.priority ?? 0,
      phase: 'Pending',
      ready: false,
      restartCount: 0,
      createdAt: kubeTime(event.recordedAt),
      stopped: false,
    };
    const row = {
      kind: 'Pod' as const,
      namespace: data.namespace,
      name: podNameOf(pod),
      uid,
      streamId: event.streamId,
      streamVersion: event.streamVersion,
      resourceVersion: 0,
      generation: 0,
      deleted: false,
    };
    return { ...row, internal: pod as unknown as JsonObject, object: renderPod(row, pod) };
  }
  if (!previous) return undefined;
  if (event.type === 'ReplicaDeleted') return null;
  const next = foldInternal(previous.internal as unknown as PodInternal, event, lookups);
  if (!next) return { ...previous, streamVersion: event.streamVersion };
  return { ...previous, streamVersion: event.streamVersion, internal: next as unknown as JsonObject, object: renderPod({ uid: previous.uid, resourceVersion: 0 }, next) };
}
