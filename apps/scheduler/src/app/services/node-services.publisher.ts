import { Logger } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { ClusterState } from '@berth/cluster-state';
import { categoryOf, Subjects } from '@berth/contracts';
import { nodeServicesJson, servicesOf } from './node-services.builder';

/** What the publisher needs to know of a log event (the scheduler's StateChange fits). */
export interface ServicesChange {
  readonly event: { readonly type: string; readonly streamId: string };
  readonly replicaBefore?: { readonly ready: boolean };
  readonly replicaAfter?: { readonly ready: boolean };
}

/** Replica events that can move a replica into or out of a service's endpoints (or mark it draining). */
const ENDPOINT_EVENTS = new Set(['ReplicaStarted', 'ReplicaReady', 'ReplicaNotReady', 'ReplicaExited', 'ReplicaFailed', 'ReplicaDeletionRequested', 'ReplicaStopped', 'ReplicaDeleted']);

/** True when the change can alter some node's NodeServices set. */
export function affectsServices(change: ServicesChange, state: ClusterState): boolean {
  const category = categoryOf(change.event.streamId);
  if (category === 'service') return true;
  // A node that becomes ready gets the current set (it also asks on its own when it connects).
  if (category === 'node') return change.event.type === 'NodeReady';
  if (category !== 'replica' || !ENDPOINT_EVENTS.has(change.event.type) || state.services.size === 0) return false;
  return change.replicaBefore?.ready === true || change.replicaAfter?.ready === true;
}

/**
 * The lease holder publishes the full services set to every ready node on
 * berth.node.<n>.services.update when services or endpoints change; a burst becomes one message per node.
 */
export class NodeServicesPublisher {
  private readonly logger = new Logger(NodeServicesPublisher.name);
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly nats: NatsConnection,
    private readonly state: ClusterState,
    private readonly isLeader: () => boolean,
    private readonly coalesceMs: number,
  ) {}

  onStateChange(change: ServicesChange): void {
    if (affectsServices(change, this.state)) this.schedule();
  }

  schedule(): void {
    if (this.stopped) return;
    this.timer ??= setTimeout(() => this.flush(), this.coalesceMs);
  }

  /** Returns the nodes it published to. */
  flush(): string[] {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped || !this.isLeader() || this.nats.isClosed()) return [];
    const servicesJson = JSON.stringify(servicesOf(this.state));
    const nodes: string[] = [];
    for (const node of this.state.nodes.values()) {
      if (!node.registered || !node.ready) continue;
      try {
        this.nats.publish(Subjects.nodeServicesUpdate(node.name), nodeServicesJson(node.name, this.state.position, servicesJson));
        nodes.push(node.name);
      } catch (error) {
        this.logger.warn({ msg: 'could not publish services', node: node.name, error: String(error) });
      }
    }
    return nodes;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
