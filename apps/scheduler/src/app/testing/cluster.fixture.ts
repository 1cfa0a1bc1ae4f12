// Plain-state test helpers: a ClusterState driven by hand-made events, and a tiny simulation of what the
// log, the agents and the monitor would do with a controller's plans.
import { applyInPlace, ClusterState, emptyClusterState, EventSequence, isReplicaAvailable, ReplicaState } from '@berth/cluster-state';
import { Deployment, validateResource } from '@berth/contracts';
import { DeploymentController, DeploymentPlan } from '../deployments/deployment-controller';

export const GI = 1024 ** 3;

export interface DeploymentOptions {
  replicas?: number;
  image?: string;
  strategy?: Record<string, unknown>;
  minReadySeconds?: number;
  progressDeadlineSeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  requests?: Record<string, string>;
  limits?: Record<string, string>;
  priority?: number;
  extraSpec?: Record<string, unknown>;
  container?: Record<string, unknown>;
}

/** A validated, defaulted apps/v1 Deployment, as the gateway would append it. */
export function deploymentManifest(name: string, options: DeploymentOptions = {}, namespace = 'default'): Record<string, unknown> {
  const input = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas: options.replicas ?? 3,
      selector: { matchLabels: { app: name } },
      ...(options.strategy ? { strategy: options.strategy } : {}),
      ...(options.minReadySeconds !== undefined ? { minReadySeconds: options.minReadySeconds } : {}),
      ...(options.progressDeadlineSeconds !== undefined ? { progressDeadlineSeconds: options.progressDeadlineSeconds } : {}),
      ...(options.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: options.revisionHistoryLimit } : {}),
      ...(options.paused !== undefined ? { paused: options.paused } : {}),
      template: {
        metadata: { labels: { app: name } },
        spec: {
          ...(options.priority !== undefined ? { priority: options.priority } : {}),
          ...(options.extraSpec ?? {}),
          containers: [
            {
              name: 'main',
              image: options.image ?? 'nginx:1.0',
              imagePullPolicy: 'IfNotPresent',
              ports: [{ containerPort: 80 }],
              ...(options.requests || options.limits
                ? { resources: { ...(options.requests ? { requests: options.requests } : {}), ...(options.limits ? { limits: options.limits } : {}) } }
                : {}),
              ...(options.container ?? {}),
            },
          ],
        },
      },
    },
  };
  const result = validateResource(input);
  if (!result.ok) throw new Error(`test manifest is invalid: ${JSON.stringify(result.status)}`);
  return result.value as Deployment as unknown as Record<string, unknown>;
}

export interface NodeOptions {
  cpuMilli?: number;
  memoryBytes?: number;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
  ready?: boolean;
}

export function nodeRegistered(options: NodeOptions = {}, address = '127.0.0.2') {
  const allocatable = { cpuMilli: options.cpuMilli ?? 4000, memoryBytes: options.memoryBytes ?? 8 * GI };
  return { labels: options.labels ?? {}, taints: options.taints ?? [], capacity: allocatable, allocatable, address, info: {} };
}

/** A ClusterState fed by hand: every event goes through the real reducer. */
export class PlainCluster {
  readonly seq = new EventSequence();
  readonly state: ClusterState = emptyClusterState();
  readonly controller = new DeploymentController();

  get now(): number {
    return this.seq.now;
  }

  advance(ms: number): this {
    this.seq.advance(ms);
    return this;
  }

  push(streamId: string, type: string, data: unknown): this {
    applyInPlace(this.state, this.seq.next(streamId, type, data));
    return this;
  }

  node(name: string, options: NodeOptions = {}): this {
    this.push(`node:${name}`, 'NodeRegistered', nodeRegistered(options));
    if (options.ready !== false) this.push(`node:${name}`, 'NodeReady', {});
    return this;
  }

  deployment(name: string, options: DeploymentOptions = {}): this {
    return this.push(`deployment:default/${name}`, 'DeploymentCreated', { manifest: deploymentManifest(name, options) });
  }

  update(name: string, options: DeploymentOptions = {}): this {
    return this.push(`deployment:default/${name}`, 'DeploymentUpdated', { manifest: deploymentManifest(name, options) });
  }

  /** Appends what the plan says, as the reconciler would (no conflicts in a single-writer world). */
  applyPlan(plan: DeploymentPlan): this {
    for (const e of plan.deploymentEvents) this.push(`deployment:${plan.key}`, e.type, e.data);
    for (const c of plan.creations) this.push(`replica:${c.uid}`, 'ReplicaCreated', c.data);
    for (const d of plan.deletions) {
      this.push(`replica:${d.uid}`, 'ReplicaDeletionRequested', { reason: d.reason });
      if (d.immediate) this.push(`replica:${d.uid}`, 'ReplicaDeleted', { reason: d.reason });
    }
    return this;
  }

  sync(name: string): DeploymentPlan {
    const plan = this.controller.plan(this.state, `default/${name}`, this.now);
    this.applyPlan(plan);
    return plan;
  }

  replicas(name: string): ReplicaState[] {
    return [...this.state.replicas.values()].filter((r) => r.deployment === name).sort((a, b) => a.createdPosition - b.createdPosition);
  }

  active(name: string): ReplicaState[] {
    return this.replicas(name).filter((r) => !r.deletionRequested);
  }

  available(name: string, minReadySeconds = 0): ReplicaState[] {
    return this.active(name).filter((r) => isReplicaAvailable(r, minReadySeconds, this.now));
  }

  schedule(uid: string, node: string): this {
    return this.push(`replica:${uid}`, 'ReplicaScheduled', { node });
  }

  start(uid: string): this {
    const node = this.state.replicas.get(uid)?.node ?? 'n1';
    return this.push(`replica:${uid}`, 'ReplicaStarted', { node, containerId: `c-${uid}`, hostPorts: {}, hostIp: '127.0.0.2' });
  }

  ready(uid: string): this {
    return this.push(`replica:${uid}`, 'ReplicaReady', { node: this.state.replicas.get(uid)?.node ?? 'n1' });
  }

  /** The agent stopped it and the lifecycle controller finished the deletion. */
  reap(uid: string): this {
    const replica = this.state.replicas.get(uid);
    if (!replica) return this;
    if (replica.node) this.push(`replica:${uid}`, 'ReplicaStopped', { node: replica.node });
    return this.push(`replica:${uid}`, 'ReplicaDeleted', {});
  }

  /** Binds, starts and readies every pending replica whose image is not `broken`, and reaps terminating ones. */
  settle(isBroken: (r: ReplicaState) => boolean = (r) => String(JSON.stringify(r.template)).includes('broken')): this {
    for (const replica of [...this.state.replicas.values()]) {
      if (replica.deletionRequested) {
        this.reap(replica.uid);
        continue;
      }
      if (replica.node === undefined) this.schedule(replica.uid, 'n1');
      if (!isBroken(replica) && !this.state.replicas.get(replica.uid)?.ready) this.start(replica.uid).ready(replica.uid);
    }
    return this;
  }
}
