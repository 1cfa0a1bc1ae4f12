import {
  classifyExit,
  type ContainerInfo,
  type ImageReference,
  type PublishedPort,
  type StartedContainer,
} from '@berth/docker-runtime';
import type { HollowBehavior, HollowCreateFailure } from './hollow-behavior';
import type { LogSubject } from './hollow-logs';
import type { ScheduledAction } from './hollow-scheduler';
import { drawAt } from './seeded-random';
import { hostPortMap } from '@berth/docker-runtime';

export type HollowContainerStatus = 'created' | 'running' | 'exited';

/**
 * Indices of a container's random draws: each choice has its own, so enabling one kind of
 * injection never shifts another's outcome. Exec durations use EXEC_DRAWS + n.
 */
export const DRAW = { createFailure: 0, startMs: 1, crash: 2, crashAfterMs: 3, oomAfterMs: 4, shutdownMs: 5 } as const;
const EXEC_DRAWS = 16;

export interface Stopping {
  /** Simulated time it will have exited by (its own shutdown, or SIGKILL at the end of the grace period). */
  deadline: number;
  action?: ScheduledAction;
  done: Promise<void>;
  resolve: () => void;
}

export interface HollowContainerInit {
  id: string;
  name: string;
  image: ImageReference;
  labels: Record<string, string>;
  replicaUid: string;
  replicaName: string;
  node: string;
  deployment: string;
  namespace: string;
  hostIp: string;
  ports: PublishedPort[];
  cpuLimitMilli?: number;
  memoryLimitBytes?: number;
  envBehavior?: HollowBehavior;
  seed: number;
  runFailure?: HollowCreateFailure;
  logIntervalMs: number;
  createdAt: number;
  /** Shared by a node's containers: one object per node rather than a closure per container. */
  nodeState: { closed: boolean };
}

/** One simulated container: plain state, moved along by HollowRuntime and the shared scheduler. */
export class HollowContainer implements LogSubject {
  readonly id: string;
  readonly name: string;
  readonly imageRef: ImageReference;
  readonly labels: Record<string, string>;
  readonly replicaUid: string;
  readonly replicaName: string;
  readonly node: string;
  readonly deployment: string;
  readonly namespace: string;
  readonly hostIp: string;
  readonly ports: PublishedPort[];
  readonly cpuLimitMilli?: number;
  readonly memoryLimitBytes?: number;
  readonly envBehavior?: HollowBehavior;
  readonly seed: number;
  readonly runFailure?: HollowCreateFailure;
  readonly logIntervalMs: number;
  readonly createdAt: number;
  status: HollowContainerStatus = 'created';
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  oomKilled = false;
  removed = false;
  /** The start, or the container's own exit (crash, OOM) when one is due. */
  action?: ScheduledAction;
  stopping?: Stopping;
  startWaiter?: { resolve: () => void; reject: (error: Error) => void };
  private watchers?: Set<() => void>;
  private execs = 0;
  private readonly nodeState: { closed: boolean };

  constructor(init: HollowContainerInit) {
    this.id = init.id;
    this.name = init.name;
    this.imageRef = init.image;
    this.labels = init.labels;
    this.replicaUid = init.replicaUid;
    this.replicaName = init.replicaName;
    this.node = init.node;
    this.deployment = init.deployment;
    this.namespace = init.namespace;
    this.hostIp = init.hostIp;
    this.ports = init.ports;
    this.cpuLimitMilli = init.cpuLimitMilli;
    this.memoryLimitBytes = init.memoryLimitBytes;
    this.envBehavior = init.envBehavior;
    this.seed = init.seed;
    this.runFailure = init.runFailure;
    this.logIntervalMs = init.logIntervalMs;
    this.createdAt = init.createdAt;
    this.nodeState = init.nodeState;
  }

  get image(): string {
    return this.imageRef.normalized;
  }

  /** Deployment key for cluster-wide load sharing. */
  get loadKey(): string {
    return `${this.namespace}/${this.deployment}`;
  }

  get logComplete(): boolean {
    return this.status === 'exited' || this.removed || this.nodeState.closed;
  }

  draw(index: number): number {
    return drawAt(this.seed, index);
  }

  nextExecDraw(): number {
    return drawAt(this.seed, EXEC_DRAWS + this.execs++);
  }

  /** Fresh objects each time: host port maps are built on demand, not kept per container. */
  startedContainer(): StartedContainer {
    const ports = this.ports.map((port) => ({ ...port }));
    return { containerId: this.id, name: this.name, hostPorts: hostPortMap(ports), ports };
  }

  watch(listener: () => void): () => void {
    (this.watchers ??= new Set()).add(listener);
    return () => this.watchers?.delete(listener);
  }

  notify(): void {
    if (!this.watchers) return;
    for (const listener of [...this.watchers]) listener();
  }

  toInfo(): ContainerInfo {
    const exited = this.status === 'exited';
    return {
      containerId: this.id,
      name: this.name,
      image: this.image,
      replicaUid: this.replicaUid,
      replicaName: this.replicaName,
      node: this.node,
      deployment: this.deployment,
      namespace: this.namespace,
      labels: { ...this.labels },
      status: this.status,
      exit: exited ? classifyExit({ exitCode: this.exitCode ?? 0, oomKilled: this.oomKilled }) : undefined,
      exitCode: exited ? this.exitCode : undefined,
      oomKilled: this.oomKilled,
      createdAt: new Date(this.createdAt),
      startedAt: this.startedAt !== undefined ? new Date(this.startedAt) : undefined,
      finishedAt: this.finishedAt !== undefined ? new Date(this.finishedAt) : undefined,
      hostPorts: hostPortMap(this.ports),
      ports: this.ports.map((port) => ({ ...port })),
    };
  }
}
