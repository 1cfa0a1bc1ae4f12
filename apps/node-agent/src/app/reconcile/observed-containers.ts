import type { ContainerExit, ContainerInfo, ContainerStatus, RuntimeEvent, StartedContainer } from '@berth/docker-runtime';
import { BERTH_LABELS } from '@berth/docker-runtime';
import { attemptOf, gracePeriodOf } from './container-labels';

export interface ObservedContainer {
  id: string;
  replicaUid: string;
  attempt: number;
  status: ContainerStatus;
  exit?: ContainerExit;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** containerPort -> hostPort; undefined until known (a container first seen in an event). */
  hostPorts?: Record<number, number>;
  gracePeriodSeconds?: number;
  /** The agent reported this exit and decided about a restart. */
  exitHandled: boolean;
  /** The agent reported this container started and runs its probes. */
  tracked: boolean;
  /** Why the agent killed it (a failed liveness or startup probe), for the exit report. */
  killedBecause?: string;
  updatedAt: number;
}

const TOMBSTONE_TTL_MS = 10 * 60_000;

/**
 * What the runtime has for this node, kept current from runtime events and the agent's own
 * operations; a periodic relist (merge) repairs anything an event stream missed.
 */
export class ObservedContainers {
  private readonly containers = new Map<string, ObservedContainer>();
  private readonly destroyed = new Map<string, number>();

  get size(): number {
    return this.containers.size;
  }

  get(id: string): ObservedContainer | undefined {
    return this.containers.get(id);
  }

  values(): IterableIterator<ObservedContainer> {
    return this.containers.values();
  }

  /** This replica's containers, newest attempt first. */
  ofReplica(replicaUid: string): ObservedContainer[] {
    return sortNewestFirst([...this.containers.values()].filter((c) => c.replicaUid === replicaUid));
  }

  countByState(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const container of this.containers.values()) counts[container.status] = (counts[container.status] ?? 0) + 1;
    return counts;
  }

  /** A container this agent just created and started. */
  recordStarted(replicaUid: string, attempt: number, started: StartedContainer, gracePeriodSeconds: number, now = Date.now()): ObservedContainer {
    const existing = this.containers.get(started.containerId);
    if (existing) {
      // An event (start, maybe already die) got here first: keep its state, add what only the create knows.
      existing.hostPorts = started.hostPorts;
      existing.gracePeriodSeconds = gracePeriodSeconds;
      existing.updatedAt = now;
      return existing;
    }
    const container: ObservedContainer = {
      id: started.containerId,
      replicaUid,
      attempt,
      status: 'running',
      createdAt: now,
      startedAt: now,
      hostPorts: started.hostPorts,
      gracePeriodSeconds,
      exitHandled: false,
      tracked: false,
      updatedAt: now,
    };
    this.containers.set(container.id, container);
    return container;
  }

  /** Applies a runtime event; returns whether anything changed. */
  applyEvent(event: RuntimeEvent, now = Date.now()): boolean {
    if (event.type === 'oom') return false;
    if (event.type === 'destroy') return this.forget(event.containerId, now);
    if (this.destroyed.has(event.containerId)) return false;
    let container = this.containers.get(event.containerId);
    if (!container) {
      const replicaUid = event.replicaUid ?? event.labels[BERTH_LABELS.replica];
      if (!replicaUid) return false;
      container = {
        id: event.containerId,
        replicaUid,
        attempt: attemptOf(event.labels),
        status: 'created',
        createdAt: millis(event.at),
        gracePeriodSeconds: gracePeriodOf(event.labels),
        exitHandled: false,
        tracked: false,
        updatedAt: now,
      };
      this.containers.set(container.id, container);
    }
    if (event.type === 'start') {
      if (container.status === 'running') return false;
      // Started again outside the agent (docker start): a new run to track.
      Object.assign(container, { status: 'running', startedAt: millis(event.at), exit: undefined, finishedAt: undefined, exitHandled: false, tracked: false });
    } else {
      if (container.status === 'exited' && container.exit) return false;
      Object.assign(container, { status: 'exited', exit: event.exit, finishedAt: millis(event.at) });
    }
    container.updatedAt = now;
    return true;
  }

  /** The agent removed it (or learnt it is gone). */
  forget(id: string, now = Date.now()): boolean {
    this.destroyed.set(id, now);
    return this.containers.delete(id);
  }

  /** Fills in what a relist knows and the cache does not (host ports of a container seen only in events). */
  update(info: ContainerInfo, now = Date.now()): ObservedContainer | undefined {
    if (this.destroyed.has(info.containerId)) return undefined;
    const existing = this.containers.get(info.containerId);
    const fresh = fromInfo(info, now);
    if (!existing) {
      this.containers.set(fresh.id, fresh);
      return fresh;
    }
    existing.hostPorts = info.hostPorts;
    return existing;
  }

  /**
   * Folds in a full relist taken at `listedAt`: what changed since (events, own operations) wins
   * over the snapshot, and what the snapshot lacks is gone unless it appeared after the list began.
   */
  merge(snapshot: ContainerInfo[], listedAt: number, now = Date.now()): void {
    const seen = new Set<string>();
    for (const info of snapshot) {
      seen.add(info.containerId);
      if (this.destroyed.has(info.containerId)) continue;
      const existing = this.containers.get(info.containerId);
      if (existing && existing.updatedAt >= listedAt) continue;
      const fresh = fromInfo(info, now);
      if (existing) {
        const sameRun = existing.status === fresh.status && existing.startedAt === fresh.startedAt;
        Object.assign(existing, {
          status: fresh.status,
          exit: fresh.exit,
          startedAt: fresh.startedAt ?? existing.startedAt,
          finishedAt: fresh.finishedAt,
          hostPorts: fresh.hostPorts,
          gracePeriodSeconds: fresh.gracePeriodSeconds ?? existing.gracePeriodSeconds,
          updatedAt: now,
        });
        if (!sameRun && fresh.status === 'running' && existing.exitHandled) Object.assign(existing, { exitHandled: false, tracked: false });
      } else {
        this.containers.set(fresh.id, fresh);
      }
    }
    for (const [id, container] of this.containers) {
      if (!seen.has(id) && container.updatedAt < listedAt) this.containers.delete(id);
    }
    for (const [id, at] of this.destroyed) if (now - at > TOMBSTONE_TTL_MS) this.destroyed.delete(id);
  }
}

export function sortNewestFirst(containers: ObservedContainer[]): ObservedContainer[] {
  return containers.sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
}

function fromInfo(info: ContainerInfo, now: number): ObservedContainer {
  return {
    id: info.containerId,
    replicaUid: info.replicaUid,
    attempt: attemptOf(info.labels),
    status: info.status,
    exit: info.exit,
    createdAt: millis(info.createdAt),
    startedAt: info.startedAt && millis(info.startedAt),
    finishedAt: info.finishedAt && millis(info.finishedAt),
    hostPorts: info.hostPorts,
    gracePeriodSeconds: gracePeriodOf(info.labels),
    exitHandled: false,
    tracked: false,
    updatedAt: now,
  };
}

/** Whole milliseconds: engine times carry nanoseconds, reports carry integers. */
function millis(date: Date): number {
  return Math.floor(date.getTime());
}
