import { createHash } from 'node:crypto';
import { EventData, RecordedEvent } from '@berth/contracts';
import { JsonObject, ObjectRow } from './api-object.model';
import { PodInternal } from './pod.view';
import { asRecord, derivedUid, kubeTime } from './view-kit.util';

/** Cluster-scoped objects (Nodes) get their Events in this namespace, as in Kubernetes. */
export const CLUSTER_EVENTS_NAMESPACE = 'default';

export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid: string;
}

/** A Kubernetes Event about to be recorded (or counted again, when the same one exists). */
export interface KubeEventDraft {
  namespace: string;
  involvedObject: InvolvedObject;
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
  source: { component: string; host?: string };
}

const API_VERSIONS: Record<string, string> = {
  Deployment: 'apps/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
};

function involved(row: ObjectRow): InvolvedObject {
  return {
    apiVersion: API_VERSIONS[row.kind] ?? 'v1',
    kind: row.kind,
    ...(row.namespace ? { namespace: row.namespace } : {}),
    name: row.name,
    uid: row.uid,
  };
}

function containerName(row: ObjectRow): string {
  const pod = row.internal as unknown as PodInternal;
  const containers = asRecord(pod.template?.['spec'])?.['containers'];
  const first = Array.isArray(containers) ? asRecord(containers[0]) : undefined;
  return typeof first?.['name'] === 'string' ? first['name'] : 'container';
}

const SCHEDULER = { component: 'berth-scheduler' };
const CONTROLLER = { component: 'deployment-controller' };
const MONITOR = { component: 'berth-monitor' };
const API = { component: 'berth-api' };

/**
 * The Kubernetes Events a log event stands for (what `describe` and `get events` show).
 * `row` is the object after the event (or before it, when the event removed it).
 */
export function kubeEventsFor(event: RecordedEvent, row: ObjectRow | undefined): KubeEventDraft[] {
  if (!row) return [];
  const draft = (reason: string, message: string, type: 'Normal' | 'Warning', source: KubeEventDraft['source']): KubeEventDraft[] => [
    { namespace: row.namespace || CLUSTER_EVENTS_NAMESPACE, involvedObject: involved(row), reason, message, type, source },
  ];
  const pod = row.kind === 'Pod' ? (row.internal as unknown as PodInternal) : undefined;
  const agent = { component: 'berth-node-agent', ...(pod?.node ? { host: pod.node } : {}) };
  switch (event.type) {
    case 'DeploymentScaled': {
      const data = event.data as EventData<'DeploymentScaled'>;
      return draft('ScalingReplicaSet', `Scaled deployment ${row.name} to ${data.replicas}${data.reason ? `: ${data.reason}` : ''}`, 'Normal', CONTROLLER);
    }
    case 'DeploymentPaused':
      return draft('DeploymentPaused', `Deployment ${row.name} paused`, 'Normal', API);
    case 'DeploymentResumed':
      return draft('DeploymentResumed', `Deployment ${row.name} resumed`, 'Normal', API);
    case 'DeploymentRolledBack': {
      const { toRevision } = event.data as EventData<'DeploymentRolledBack'>;
      return draft('DeploymentRollback', `Rolled back deployment ${row.name} to revision ${toRevision}`, 'Normal', CONTROLLER);
    }
    case 'DeploymentRevisionCreated': {
      const data = event.data as EventData<'DeploymentRevisionCreated'>;
      return draft('RevisionCreated', `Created revision ${data.revision} (pod template hash ${data.templateHash})`, 'Normal', CONTROLLER);
    }
    case 'ReplicaScheduled': {
      const { node } = event.data as EventData<'ReplicaScheduled'>;
      return draft('Scheduled', `Successfully assigned ${row.namespace}/${row.name} to ${node}`, 'Normal', SCHEDULER);
    }
    case 'ReplicaUnschedulable':
      return draft('FailedScheduling', (event.data as EventData<'ReplicaUnschedulable'>).message, 'Warning', SCHEDULER);
    case 'ReplicaStarted':
      return draft('Started', `Started container ${containerName(row)}`, 'Normal', agent);
    case 'ReplicaExited': {
      const data = event.data as EventData<'ReplicaExited'>;
      if (data.exitCode === 0) return draft('Completed', `Container ${containerName(row)} exited with code 0 (${data.reason})`, 'Normal', agent);
      return draft('BackOff', `Back-off restarting failed container ${containerName(row)}: exited with code ${data.exitCode} (${data.reason})`, 'Warning', agent);
    }
    case 'ReplicaFailed': {
      const data = event.data as EventData<'ReplicaFailed'>;
      return draft('Failed', data.message ? `${data.reason}: ${data.message}` : data.reason, 'Warning', agent);
    }
    case 'ReplicaNotReady': {
      const data = event.data as EventData<'ReplicaNotReady'>;
      return draft('Unhealthy', `Readiness probe failed${data.reason ? `: ${data.reason}` : ''}`, 'Warning', agent);
    }
    case 'ReplicaDeletionRequested': {
      const data = event.data as EventData<'ReplicaDeletionRequested'>;
      return draft('Killing', `Stopping container ${containerName(row)}: ${data.reason}`, 'Normal', agent);
    }
    case 'NodeRegistered':
      return draft('RegisteredNode', `Node ${row.name} registered`, 'Normal', MONITOR);
    case 'NodeReady':
      return draft('NodeReady', `Node ${row.name} status is now: NodeReady`, 'Normal', MONITOR);
    case 'NodeNotReady':
      return draft('NodeNotReady', `Node ${row.name} status is now: NodeNotReady (${(event.data as EventData<'NodeNotReady'>).reason})`, 'Warning', MONITOR);
    case 'NodeLost':
      return draft('NodeLost', `Node ${row.name} is lost: ${(event.data as EventData<'NodeLost'>).reason}`, 'Warning', MONITOR);
    case 'NodeCordoned':
      return draft('NodeNotSchedulable', `Node ${row.name} status is now: NodeNotSchedulable`, 'Normal', API);
    case 'NodeUncordoned':
      return draft('NodeSchedulable', `Node ${row.name} status is now: NodeSchedulable`, 'Normal', API);
    case 'NodeDrainRequested':
      return draft('DrainRequested', `Node ${row.name} is being drained`, 'Normal', API);
    case 'HorizontalPodAutoscalerDecided': {
      const data = event.data as EventData<'HorizontalPodAutoscalerDecided'>;
      if (data.desiredReplicas === data.currentReplicas) return [];
      return draft('SuccessfulRescale', `New size: ${data.desiredReplicas}; reason: ${data.reason}`, 'Normal', { component: 'horizontal-pod-autoscaler' });
    }
    default:
      return [];
  }
}

/** Same object, reason, message and source: the same Event, counted again (Kubernetes' aggregation). */
export function kubeEventName(draft: KubeEventDraft): string {
  const { involvedObject: o } = draft;
  const key = [o.kind, o.namespace ?? '', o.name, o.uid, draft.reason, draft.message, draft.source.component, draft.source.host ?? ''].join('\u0000');
  return `${o.name.slice(0, 200)}.${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/** The Event object after one more occurrence at `event` (first when `previous` is absent). */
export function renderKubeEvent(draft: KubeEventDraft, event: RecordedEvent, previous: JsonObject | undefined): JsonObject {
  const name = kubeEventName(draft);
  const at = kubeTime(event.recordedAt);
  const first = typeof previous?.['firstTimestamp'] === 'string' ? previous['firstTimestamp'] : at;
  const count = typeof previous?.['count'] === 'number' ? previous['count'] + 1 : 1;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name,
      namespace: draft.namespace,
      uid: derivedUid(`event:${draft.namespace}/${name}`),
      resourceVersion: String(event.globalPosition),
      creationTimestamp: first,
    },
    involvedObject: draft.involvedObject,
    reason: draft.reason,
    message: draft.message,
    source: draft.source,
    firstTimestamp: first,
    lastTimestamp: at,
    count,
    type: draft.type,
    reportingComponent: draft.source.component,
    reportingInstance: draft.source.host ?? '',
  };
}
