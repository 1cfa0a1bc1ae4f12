import { EventData, RecordedEvent } from '@berth/contracts';
import { JsonObject, ObjectRow } from './api-object.model';
import { cpuQuantity, derivedUid, kubeTime, memoryQuantity } from './view-kit.util';

export type NodeConditionName = 'Unknown' | 'Ready' | 'NotReady' | 'Lost';
export const DRAIN_ANNOTATION = 'berth.io/drain-requested';
export const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable';

export interface NodeInternal {
  registered: boolean;
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
  capacity: { cpuMilli: number; memoryBytes: number };
  allocatable: { cpuMilli: number; memoryBytes: number };
  address: string;
  info: Record<string, string>;
  condition: NodeConditionName;
  conditionReason?: string;
  conditionSince: string;
  cordoned: boolean;
  cordonedAt?: string;
  drainRequested: boolean;
  createdAt: string;
}

function resources(quantity: { cpuMilli: number; memoryBytes: number }): JsonObject {
  return { cpu: cpuQuantity(quantity.cpuMilli), memory: memoryQuantity(quantity.memoryBytes), pods: '110' };
}

function nodeInfo(info: Record<string, string>): JsonObject {
  const runtime = info['runtime'] ?? 'docker';
  return {
    ...(info['kernelVersion'] ? { kernelVersion: info['kernelVersion'] } : {}),
    ...(info['os'] ? { osImage: info['os'] } : {}),
    containerRuntimeVersion: `${runtime}://${info['dockerVersion'] ?? 'unknown'}`,
    kubeletVersion: 'berth-node-agent',
    operatingSystem: 'linux',
    ...(info['arch'] ? { architecture: info['arch'] } : {}),
  };
}

function readyCondition(node: NodeInternal): JsonObject {
  const status = node.condition === 'Ready' ? 'True' : node.condition === 'NotReady' ? 'False' : 'Unknown';
  const reason = { Ready: 'KubeletReady', NotReady: 'KubeletNotReady', Lost: 'NodeStatusUnknown', Unknown: 'NodeRegistered' }[node.condition];
  return {
    type: 'Ready',
    status,
    reason,
    message: node.conditionReason ?? (node.condition === 'Ready' ? 'node-agent is posting ready status' : `node is ${node.condition}`),
    lastTransitionTime: node.conditionSince,
  };
}

export function renderNode(row: Pick<ObjectRow, 'name' | 'uid' | 'resourceVersion'>, node: NodeInternal): JsonObject {
  const taints: JsonObject[] = node.taints.map((t) => ({ ...t }));
  if (node.cordoned) taints.push({ key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule', ...(node.cordonedAt ? { timeAdded: node.cordonedAt } : {}) });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: row.name,
      uid: row.uid,
      resourceVersion: String(row.resourceVersion),
      creationTimestamp: node.createdAt,
      labels: { 'kubernetes.io/hostname': row.name, 'kubernetes.io/os': 'linux', ...node.labels },
      ...(node.drainRequested ? { annotations: { [DRAIN_ANNOTATION]: 'true' } } : {}),
    },
    spec: { ...(node.cordoned ? { unschedulable: true } : {}), ...(taints.length > 0 ? { taints } : {}) },
    status: {
      capacity: resources(node.capacity),
      allocatable: resources(node.allocatable),
      conditions: [readyCondition(node)],
      addresses: [
        { type: 'InternalIP', address: node.address },
        { type: 'Hostname', address: row.name },
      ],
      nodeInfo: nodeInfo(node.info),
    },
  };
}

function withCondition(node: NodeInternal, condition: NodeConditionName, at: string, reason?: string): NodeInternal {
  return { ...node, condition, conditionReason: reason, conditionSince: node.condition === condition ? node.conditionSince : at };
}

function foldInternal(current: NodeInternal, event: RecordedEvent): NodeInternal | undefined {
  const at = kubeTime(event.recordedAt);
  switch (event.type) {
    case 'NodeRegistered': {
      const data = event.data as EventData<'NodeRegistered'>;
      const next: NodeInternal = {
        ...current,
        registered: true,
        labels: data.labels,
        taints: data.taints,
        capacity: data.capacity,
        allocatable: data.allocatable,
        address: data.address,
        info: data.info,
        createdAt: current.registered ? current.createdAt : at,
      };
      // A lost node that registers again has a new agent: not ready until it says so.
      return current.condition === 'Lost' ? withCondition(next, 'Unknown', at) : next;
    }
    case 'NodeReady':
      return withCondition(current, 'Ready', at);
    case 'NodeNotReady':
      return withCondition(current, 'NotReady', at, (event.data as EventData<'NodeNotReady'>).reason);
    case 'NodeLost':
      return withCondition(current, 'Lost', at, (event.data as EventData<'NodeLost'>).reason);
    case 'NodeCordoned':
      return { ...current, cordoned: true, cordonedAt: current.cordoned ? current.cordonedAt : at };
    case 'NodeUncordoned':
      return { ...current, cordoned: false, cordonedAt: undefined, drainRequested: false };
    case 'NodeDrainRequested':
      return { ...current, cordoned: true, cordonedAt: current.cordoned ? current.cordonedAt : at, drainRequested: true };
    default:
      return undefined;
  }
}

function placeholder(at: string): NodeInternal {
  return {
    registered: false,
    labels: {},
    taints: [],
    capacity: { cpuMilli: 0, memoryBytes: 0 },
    allocatable: { cpuMilli: 0, memoryBytes: 0 },
    address: '',
    info: {},
    condition: 'Unknown',
    conditionSince: at,
    cordoned: false,
    drainRequested: false,
    createdAt: at,
  };
}

/** Nodes are registered by their agent; a node the log mentions before that stays hidden (a tombstone). */
export function foldNode(previous: ObjectRow | undefined, event: RecordedEvent): ObjectRow | null | undefined {
  const name = event.streamId.slice('node:'.length);
  const current = (previous?.internal as unknown as NodeInternal | undefined) ?? placeholder(kubeTime(event.recordedAt));
  const row: ObjectRow = previous
    ? { ...previous, streamVersion: event.streamVersion }
    : {
        kind: 'Node',
        namespace: '',
        name,
        uid: derivedUid(`${event.streamId}@${event.globalPosition}`),
        streamId: event.streamId,
        streamVersion: event.streamVersion,
        resourceVersion: 0,
        generation: 0,
        deleted: true,
        object: {},
        internal: current as unknown as JsonObject,
      };
  const next = foldInternal(current, event);
  if (!next) return row;
  return { ...row, deleted: !next.registered, internal: next as unknown as JsonObject, object: renderNode({ name, uid: row.uid, resourceVersion: 0 }, next) };
}
