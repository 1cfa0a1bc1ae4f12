import { categoryOf, EventData, RecordedEvent } from '@berth/contracts';
import {
  ClusterState,
  DeploymentState,
  DeploymentStatusView,
  NodeState,
  ReplicaPhase,
  ReplicaState,
  RevisionRecord,
} from './cluster-state.model';
import { parseDeploymentKey, rollbackTarget } from './cluster-state.queries';
import { applyService } from './service-state';
import { asRecord, deploymentSpecOf, podSpecOf, withSpec } from './deployment-spec';
import { templateHash } from './template-hash';

export function emptyClusterState(): ClusterState {
  return {
    position: 0,
    deployments: new Map(),
    replicas: new Map(),
    nodes: new Map(),
    services: new Map(),
    index: { byDeployment: new Map(), byNode: new Map(), pending: new Set(), terminating: new Set() },
  };
}

/** A copy that later applyInPlace calls on either side do not affect (records are shared: they are never mutated). */
export function cloneClusterState(state: ClusterState): ClusterState {
  const cloneSets = (map: Map<string, Set<string>>) => new Map([...map].map(([key, set]) => [key, new Set(set)]));
  return {
    position: state.position,
    deployments: new Map(state.deployments),
    replicas: new Map(state.replicas),
    nodes: new Map(state.nodes),
    services: new Map(state.services),
    index: {
      byDeployment: cloneSets(state.index.byDeployment),
      byNode: cloneSets(state.index.byNode),
      pending: new Set(state.index.pending),
      terminating: new Set(state.index.terminating),
    },
  };
}

/** The pure reducer: the state after `event`; `state` itself is left as it was. O(size of state): fold with foldEvents. */
export function apply(state: ClusterState, event: RecordedEvent): ClusterState {
  const next = cloneClusterState(state);
  applyInPlace(next, event);
  return next;
}

/** Folds events into a copy of `from` (default: empty), in order. */
export function foldEvents(events: Iterable<RecordedEvent>, from?: ClusterState): ClusterState {
  const state = from ? cloneClusterState(from) : emptyClusterState();
  for (const event of events) applyInPlace(state, event);
  return state;
}

function timeOf(event: RecordedEvent): number {
  const at = event.recordedAt as Date | string;
  return at instanceof Date ? at.getTime() : Date.parse(at);
}

function addTo(map: Map<string, Set<string>>, key: string, uid: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(uid);
}

function removeFrom(map: Map<string, Set<string>>, key: string, uid: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(uid);
  if (set.size === 0) map.delete(key);
}

/**
 * The reducer's fast form: folds one event into `state`, replacing the records it changes. Deterministic:
 * it reads only the state and the event (time comes from `recordedAt`, never from a clock). Unknown
 * events and events about unknown entities only move `position`.
 */
export function applyInPlace(state: ClusterState, event: RecordedEvent): void {
  const category = categoryOf(event.streamId);
  const id = event.streamId.slice(category.length + 1);
  if (category === 'deployment') applyDeployment(state, id, event);
  else if (category === 'replica') applyReplica(state, id, event);
  else if (category === 'node') applyNode(state, id, event);
  else if (category === 'service') applyService(state, id, event);
  state.position = event.globalPosition;
}

function applyDeployment(state: ClusterState, key: string, event: RecordedEvent): void {
  const at = timeOf(event);
  if (event.type === 'DeploymentCreated') {
    const { manifest } = event.data as EventData<'DeploymentCreated'>;
    const spec = deploymentSpecOf(manifest);
    const { namespace, name } = parseDeploymentKey(key);
    const uid = asRecord(manifest['metadata'])?.['uid'];
    state.deployments.set(key, {
      key,
      namespace,
      name,
      incarnation: event.globalPosition,
      uid: typeof uid === 'string' && uid !== '' ? uid : `${key}@${event.globalPosition}`,
      manifest,
      spec,
      templateHash: templateHash(spec.template),
      generation: 1,
      paused: spec.paused,
      revisions: [],
      replicasCreated: 0,
      deleted: false,
      createdAt: at,
      updatedAt: at,
      version: event.streamVersion,
    });
    return;
  }
  const current = state.deployments.get(key);
  if (!current) return;
  let next: DeploymentState = { ...current, version: event.streamVersion };
  switch (event.type) {
    case 'DeploymentUpdated': {
      if (current.deleted) break;
      const { manifest } = event.data as EventData<'DeploymentUpdated'>;
      const spec = deploymentSpecOf(manifest);
      next = { ...next, manifest, spec, templateHash: templateHash(spec.template), paused: spec.paused, generation: current.generation + 1, updatedAt: at };
      break;
    }
    case 'DeploymentScaled': {
      const { replicas } = event.data as EventData<'DeploymentScaled'>;
      next = { ...next, spec: { ...current.spec, replicas }, manifest: withSpec(current.manifest, { replicas }), updatedAt: at };
      break;
    }
    case 'DeploymentPaused':
    case 'DeploymentResumed': {
      const paused = event.type === 'DeploymentPaused';
      next = { ...next, paused, spec: { ...current.spec, paused }, manifest: withSpec(current.manifest, { paused }), updatedAt: at };
      break;
    }
    case 'DeploymentRolledBack': {
      const { toRevision } = event.data as EventData<'DeploymentRolledBack'>;
      const target = rollbackTarget(state, current, toRevision);
      next = { ...next, lastRollback: { toRevision, found: target !== undefined, at }, updatedAt: at };
      if (target) {
        next = {
          ...next,
          spec: { ...current.spec, template: target.template },
          templateHash: target.templateHash,
          manifest: withSpec(current.manifest, { template: target.template }),
        };
      }
      break;
    }
    case 'DeploymentRevisionCreated': {
      const data = event.data as EventData<'DeploymentRevisionCreated'>;
      const existing = current.revisions.find((r) => r.templateHash === data.templateHash);
      const revision: RevisionRecord = existing
        ? { ...existing, revision: data.revision }
        : { revision: data.revision, templateHash: data.templateHash, template: data.template, firstPosition: event.globalPosition, createdAt: at };
      next = { ...next, revisions: [...current.revisions.filter((r) => r !== existing), revision].sort((a, b) => a.firstPosition - b.firstPosition) };
      break;
    }
    case 'DeploymentStatusChanged': {
      const { status } = event.data as EventData<'DeploymentStatusChanged'>;
      next = { ...next, status: status as DeploymentStatusView };
      break;
    }
    case 'DeploymentDeleted':
      next = { ...next, deleted: true, updatedAt: at };
      break;
    default:
      break;
  }
  state.deployments.set(key, next);
  if (next.deleted) forgetDeploymentIfDone(state, key);
}

/** A deleted deployment leaves the state once its last replica is gone. */
function forgetDeploymentIfDone(state: ClusterState, key: string): void {
  const deployment = state.deployments.get(key);
  if (deployment?.deleted && !state.index.byDeployment.has(key)) state.deployments.delete(key);
}

function phaseAfterExit(replica: ReplicaState, exitCode: number): ReplicaPhase {
  const policy = podSpecOf(replica.template)['restartPolicy'] ?? 'Always';
  if (policy === 'Never') return exitCode === 0 ? 'Succeeded' : 'Failed';
  if (policy === 'OnFailure' && exitCode === 0) return 'Succeeded';
  // The agent restarts it (with backoff); Kubernetes shows such a pod as Running, not ready.
  return 'Running';
}

function applyReplica(state: ClusterState, uid: string, event: RecordedEvent): void {
  const at = timeOf(event);
  const { index } = state;
  if (event.type === 'ReplicaCreated') {
    const data = event.data as EventData<'ReplicaCreated'>;
    const key = `${data.namespace}/${data.deployment}`;
    const owner = state.deployments.get(key);
    if (owner) state.deployments.set(key, { ...owner, replicasCreated: owner.replicasCreated + 1 });
    state.replicas.set(uid, {
      uid,
      namespace: data.namespace,
      deployment: data.deployment,
      deploymentKey: key,
      ownerIncarnation: owner?.incarnation ?? 0,
      revision: data.revision,
      templateHash: data.templateHash,
      template: data.template,
      priority: data.priority ?? 0,
      phase: 'Pending',
      ready: false,
      restartCount: 0,
      createdAt: at,
      createdPosition: event.globalPosition,
      deletionRequested: false,
      stopped: false,
      version: event.streamVersion,
    });
    addTo(index.byDeployment, key, uid);
    index.pending.add(uid);
    return;
  }
  const current = state.replicas.get(uid);
  if (!current) return;
  const terminating = current.deletionRequested;
  let next: ReplicaState = { ...current, version: event.streamVersion };
  switch (event.type) {
    case 'ReplicaScheduled': {
      const { node } = event.data as EventData<'ReplicaScheduled'>;
      if (current.node !== undefined) removeFrom(index.byNode, current.node, uid);
      addTo(index.byNode, node, uid);
      index.pending.delete(uid);
      next = { ...next, node, scheduledAt: at, unschedulableMessage: undefined, phase: terminating ? 'Terminating' : current.phase === 'Pending' ? 'Scheduled' : current.phase };
      break;
    }
    case 'ReplicaUnschedulable':
      next = { ...next, unschedulableMessage: (event.data as EventData<'ReplicaUnschedulable'>).message };
      break;
    case 'ReplicaStarted': {
      const data = event.data as EventData<'ReplicaStarted'>;
      next = {
        ...next,
        phase: terminating ? 'Terminating' : 'Running',
        ready: false,
        readySince: undefined,
        startedAt: at,
        containerId: data.containerId,
        hostIp: data.hostIp,
        hostPorts: data.hostPorts,
        stopped: false,
      };
      break;
    }
    case 'ReplicaReady':
      next = { ...next, ready: true, readySince: current.ready ? current.readySince : at, phase: terminating ? 'Terminating' : 'Ready' };
      break;
    case 'ReplicaNotReady':
      next = { ...next, ready: false, readySince: undefined, phase: terminating ? 'Terminating' : current.phase === 'Ready' ? 'Running' : current.phase };
      break;
    case 'ReplicaExited': {
      const data = event.data as EventData<'ReplicaExited'>;
      next = {
        ...next,
        ready: false,
        readySince: undefined,
        restartCount: Math.max(current.restartCount, data.restartCount),
        lastExit: { exitCode: data.exitCode, reason: data.reason, at },
        phase: terminating ? 'Terminating' : phaseAfterExit(current, data.exitCode),
      };
      break;
    }
    case 'ReplicaFailed': {
      const data = event.data as EventData<'ReplicaFailed'>;
      next = {
        ...next,
        ready: false,
        readySince: undefined,
        failure: { reason: data.reason, ...(data.message !== undefined ? { message: data.message } : {}), at },
        phase: terminating ? 'Terminating' : 'Failed',
      };
      break;
    }
    case 'ReplicaDeletionRequested': {
      if (terminating) break;
      const { reason } = event.data as EventData<'ReplicaDeletionRequested'>;
      index.pending.delete(uid);
      index.terminating.add(uid);
      next = { ...next, deletionRequested: true, deletionReason: reason, deletionRequestedAt: at, phase: 'Terminating' };
      break;
    }
    case 'ReplicaStopped':
      next = { ...next, stopped: true, ready: false, readySince: undefined, phase: terminating ? 'Terminating' : 'Failed', ...(terminating ? {} : { failure: { reason: 'Stopped', at } }) };
      break;
    case 'ReplicaDeleted': {
      state.replicas.delete(uid);
      index.pending.delete(uid);
      index.terminating.delete(uid);
      if (current.node !== undefined) removeFrom(index.byNode, current.node, uid);
      removeFrom(index.byDeployment, current.deploymentKey, uid);
      forgetDeploymentIfDone(state, current.deploymentKey);
      return;
    }
    default:
      break;
  }
  state.replicas.set(uid, next);
}

function placeholderNode(name: string, at: number, version: number): NodeState {
  return {
    name,
    registered: false,
    labels: {},
    taints: [],
    capacity: { cpuMilli: 0, memoryBytes: 0 },
    allocatable: { cpuMilli: 0, memoryBytes: 0 },
    address: '',
    info: {},
    condition: 'Unknown',
    ready: false,
    lost: false,
    conditionSince: at,
    cordoned: false,
    drainRequested: false,
    version,
  };
}

function withCondition(node: NodeState, condition: NodeState['condition'], at: number, reason?: string): NodeState {
  return {
    ...node,
    condition,
    ready: condition === 'Ready',
    lost: condition === 'Lost',
    conditionReason: reason,
    conditionSince: node.condition === condition ? node.conditionSince : at,
    lostAt: condition === 'Lost' ? (node.condition === 'Lost' ? node.lostAt : at) : undefined,
  };
}

function applyNode(state: ClusterState, name: string, event: RecordedEvent): void {
  const at = timeOf(event);
  const current = state.nodes.get(name) ?? placeholderNode(name, at, event.streamVersion);
  let next: NodeState = { ...current, version: event.streamVersion };
  switch (event.type) {
    case 'NodeRegistered': {
      const data = event.data as EventData<'NodeRegistered'>;
      next = {
        ...next,
        registered: true,
        labels: data.labels,
        taints: data.taints,
        capacity: data.capacity,
        allocatable: data.allocatable,
        address: data.address,
        info: data.info,
        registeredAt: current.registeredAt ?? at,
      };
      // A lost node that registers again has a new agent: not ready until it says so.
      if (current.lost) next = withCondition(next, 'Unknown', at);
      break;
    }
    case 'NodeReady':
      next = withCondition(next, 'Ready', at);
      break;
    case 'NodeNotReady':
      next = withCondition(next, 'NotReady', at, (event.data as EventData<'NodeNotReady'>).reason);
      break;
    case 'NodeLost':
      next = withCondition(next, 'Lost', at, (event.data as EventData<'NodeLost'>).reason);
      break;
    case 'NodeCordoned':
      next = { ...next, cordoned: true };
      break;
    case 'NodeUncordoned':
      next = { ...next, cordoned: false, drainRequested: false };
      break;
    case 'NodeDrainRequested':
      next = { ...next, cordoned: true, drainRequested: true };
      break;
    default:
      break;
  }
  state.nodes.set(name, next);
}
