import {
  activeReplicasOf,
  applyInPlace,
  asRecord,
  ClusterState,
  emptyClusterState,
  latestRevisionNumber,
  podSpecOf,
  replicaName,
  replicasOnNode,
  serviceEndpoints,
} from '@berth/cluster-state';
import { RecordedEvent } from '@berth/contracts';
import { HpaFold, HpaView } from './hpa-fold';

/** Reads the log after a position, in position order (EventStore.readAll fits). */
export type LogPageReader = (after: number, limit: number) => Promise<RecordedEvent[]>;

/** An event the fold could not apply: reported, skipped, the fold goes on (as the controllers do). */
export interface FoldProblem {
  position: number;
  type: string;
  error: string;
}

/** The log folded the way the scheduler and the autoscaler fold it: cluster-state plus the HPAs. */
export class LogFold {
  readonly cluster: ClusterState = emptyClusterState();
  readonly hpas = new HpaFold();
  readonly problems: FoldProblem[] = [];
  lastRecordedAt?: Date;

  apply(event: RecordedEvent): void {
    try {
      applyInPlace(this.cluster, event);
    } catch (error) {
      this.problems.push({ position: event.globalPosition, type: event.type, error: String(error) });
      this.cluster.position = event.globalPosition;
    }
    this.hpas.apply(event);
    this.lastRecordedAt = event.recordedAt;
  }
}

/** Folds every event up to and including position `at`, a page at a time (memory holds the state, not the log). */
export async function foldUpTo(read: LogPageReader, at: number, pageSize = 5_000): Promise<LogFold> {
  const fold = new LogFold();
  let after = 0;
  while (after < at) {
    const page = await read(after, pageSize);
    for (const event of page) {
      if (event.globalPosition > at) return fold;
      fold.apply(event);
    }
    if (page.length < pageSize) return fold;
    after = page[page.length - 1].globalPosition;
  }
  return fold;
}

export interface DeploymentRow {
  namespace: string;
  name: string;
  /** spec.replicas as of that position. */
  desired: number;
  /** Replicas not being deleted. */
  current: number;
  /** ... of which bound to a node. */
  bound: number;
  ready: number;
  revision: number;
  paused: boolean;
  images: string[];
}

export interface ServiceRow {
  namespace: string;
  name: string;
  type: string;
  /** `80:30080/TCP`, kubectl's PORT(S). */
  ports: string[];
  selector: Record<string, string>;
  /** Ready endpoints of the first port. */
  endpoints: number;
}

export interface HpaRow {
  namespace: string;
  name: string;
  reference: string;
  targets: string[];
  minReplicas: number;
  maxReplicas: number;
  currentReplicas?: number;
  desiredReplicas?: number;
}

export interface NodeRow {
  name: string;
  status: string;
  address: string;
  cordoned: boolean;
  replicas: number;
}

export interface ReplicaRow {
  namespace: string;
  name: string;
  uid: string;
  deployment: string;
  phase: string;
  node?: string;
  ready: boolean;
  restarts: number;
  deleting: boolean;
}

/** `berth admin state`: the cluster as the log said it was at one position. */
export interface ClusterSnapshot {
  /** Events up to this position are folded in. */
  position: number;
  /** The log's last position now. */
  headPosition: number;
  /** When the last folded event was recorded. */
  recordedAt?: string;
  namespace?: string;
  deployments: DeploymentRow[];
  services: ServiceRow[];
  horizontalPodAutoscalers: HpaRow[];
  nodes: NodeRow[];
  replicas: ReplicaRow[];
}

const byName = <T extends { namespace?: string; name: string }>(a: T, b: T): number =>
  (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name);

function images(template: Readonly<Record<string, unknown>>): string[] {
  const containers = podSpecOf(template)['containers'];
  return (Array.isArray(containers) ? containers : []).map((c) => String(asRecord(c)?.['image'] ?? '')).filter((image) => image !== '');
}

function metricTargets(hpa: HpaView): string[] {
  const metrics = Array.isArray(hpa.spec['metrics']) ? (hpa.spec['metrics'] as unknown[]) : [];
  const current = Array.isArray(hpa.status?.['currentMetrics']) ? (hpa.status?.['currentMetrics'] as unknown[]) : [];
  return metrics.map((metric) => {
    const m = asRecord(metric) ?? {};
    const type = String(m['type'] ?? '');
    const body = asRecord(m[type.charAt(0).toLowerCase() + type.slice(1)]) ?? {};
    const name = String(body['name'] ?? asRecord(body['metric'])?.['name'] ?? type);
    const target = asRecord(body['target']) ?? {};
    const utilization = target['averageUtilization'];
    const wanted = utilization !== undefined ? `${String(utilization)}%` : String(target['averageValue'] ?? target['value'] ?? '?');
    const now = current.map(asRecord).find((c) => c?.['type'] === 'Resource' && asRecord(c['resource'])?.['name'] === name);
    const currentValue = asRecord(asRecord(now?.['resource'])?.['current']);
    const seen =
      currentValue?.['averageUtilization'] !== undefined
        ? `${String(currentValue['averageUtilization'])}%`
        : currentValue?.['averageValue'] !== undefined
          ? String(currentValue['averageValue'])
          : '<unknown>';
    return `${name}: ${seen}/${wanted}`;
  });
}

function hpaRow(hpa: HpaView): HpaRow {
  const ref = asRecord(hpa.spec['scaleTargetRef']) ?? {};
  const status = hpa.status ?? {};
  const current = typeof status['currentReplicas'] === 'number' ? status['currentReplicas'] : hpa.lastDecision?.currentReplicas;
  const desired = typeof status['desiredReplicas'] === 'number' ? status['desiredReplicas'] : hpa.lastDecision?.desiredReplicas;
  return {
    namespace: hpa.namespace,
    name: hpa.name,
    reference: `${String(ref['kind'] ?? 'Deployment')}/${String(ref['name'] ?? '')}`,
    targets: metricTargets(hpa),
    minReplicas: typeof hpa.spec['minReplicas'] === 'number' ? hpa.spec['minReplicas'] : 1,
    maxReplicas: Number(hpa.spec['maxReplicas'] ?? 0),
    ...(current !== undefined ? { currentReplicas: current } : {}),
    ...(desired !== undefined ? { desiredReplicas: desired } : {}),
  };
}

/** The rows of each kind, sorted by namespace and name; `namespace` limits the namespaced kinds. */
export function snapshotOf(fold: LogFold, meta: { position: number; headPosition: number; namespace?: string }): ClusterSnapshot {
  const state = fold.cluster;
  const inScope = (namespace: string) => meta.namespace === undefined || namespace === meta.namespace;
  const deployments: DeploymentRow[] = [];
  for (const d of state.deployments.values()) {
    if (d.deleted || !inScope(d.namespace)) continue;
    const active = activeReplicasOf(state, d);
    deployments.push({
      namespace: d.namespace,
      name: d.name,
      desired: d.spec.replicas,
      current: active.length,
      bound: active.filter((r) => r.node !== undefined).length,
      ready: active.filter((r) => r.ready).length,
      revision: latestRevisionNumber(d),
      paused: d.paused,
      images: images(d.spec.template),
    });
  }
  const services: ServiceRow[] = [];
  for (const s of state.services.values()) {
    if (!inScope(s.namespace)) continue;
    services.push({
      namespace: s.namespace,
      name: s.name,
      type: s.type,
      ports: s.ports.map((p) => `${p.port}${p.nodePort !== undefined ? `:${p.nodePort}` : ''}/${p.protocol}`),
      selector: { ...s.selector },
      endpoints: s.ports.length > 0 ? serviceEndpoints(state, s, s.ports[0]).length : 0,
    });
  }
  const horizontalPodAutoscalers = [...fold.hpas.hpas.values()].filter((h) => inScope(h.namespace)).map(hpaRow);
  const nodes: NodeRow[] = [...state.nodes.values()]
    .filter((n) => n.registered)
    .map((n) => ({
      name: n.name,
      status: `${n.condition}${n.cordoned || n.drainRequested ? ',SchedulingDisabled' : ''}`,
      address: n.address,
      cordoned: n.cordoned,
      replicas: replicasOnNode(state, n.name).length,
    }));
  const replicas: ReplicaRow[] = [];
  for (const r of state.replicas.values()) {
    if (!inScope(r.namespace)) continue;
    replicas.push({
      namespace: r.namespace,
      name: replicaName(r.deployment, r.templateHash, r.uid),
      uid: r.uid,
      deployment: r.deployment,
      phase: r.phase,
      ...(r.node !== undefined ? { node: r.node } : {}),
      ready: r.ready,
      restarts: r.restartCount,
      deleting: r.deletionRequested,
    });
  }
  return {
    position: meta.position,
    headPosition: meta.headPosition,
    ...(fold.lastRecordedAt ? { recordedAt: fold.lastRecordedAt.toISOString() } : {}),
    ...(meta.namespace !== undefined ? { namespace: meta.namespace } : {}),
    deployments: deployments.sort(byName),
    services: services.sort(byName),
    horizontalPodAutoscalers: horizontalPodAutoscalers.sort(byName),
    nodes: nodes.sort(byName),
    replicas: replicas.sort(byName),
  };
}
