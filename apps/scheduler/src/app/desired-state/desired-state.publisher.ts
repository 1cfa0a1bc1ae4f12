import { Logger } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { ClusterState } from '@berth/cluster-state';
import { Subjects } from '@berth/contracts';
import { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { StateChange } from '../state/state-follower';
import { Lease } from '@berth/event-store';
import { DesiredStateService } from './desired-state.service';

/** Replica events that add a replica to a node's set or take one out of it. */
const MEMBERSHIP_EVENTS = new Set(['ReplicaScheduled', 'ReplicaDeletionRequested', 'ReplicaDeleted']);

/**
 * The lease holder publishes a node's full desired set on berth.node.<n>.desired.update whenever it
 * changes; bursts (a whole rollout) are coalesced into one message per node.
 */
export class DesiredStatePublisher {
  private readonly logger = new Logger(DesiredStatePublisher.name);
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly nats: NatsConnection,
    private readonly service: DesiredStateService,
    private readonly lease: Lease,
    private readonly state: ClusterState,
    private readonly metrics: SchedulerMetrics,
    private readonly coalesceMs: number,
  ) {}

  onStateChange(change: StateChange): void {
    if (!MEMBERSHIP_EVENTS.has(change.event.type)) return;
    if (change.event.type === 'ReplicaDeleted' && change.replicaBefore) {
      this.service.forget(change.replicaBefore.uid);
      // Its deletion request already took it out of the node's set.
      if (change.replicaBefore.deletionRequested) return;
    }
    const before = change.replicaBefore?.node;
    const after = change.replicaAfter?.node;
    if (before !== undefined) this.markNode(before);
    if (after !== undefined && after !== before) this.markNode(after);
  }

  markNode(node: string): void {
    if (this.stopped) return;
    this.dirty.add(node);
    this.timer ??= setTimeout(() => this.flush(), this.coalesceMs);
  }

  /** After taking the lease: every node gets its set, in case the previous holder died before publishing. */
  publishAll(): void {
    for (const node of this.state.nodes.values()) if (node.registered) this.markNode(node.name);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const nodes = [...this.dirty];
    this.dirty.clear();
    if (!this.lease.isHeld || this.nats.isClosed()) return;
    for (const node of nodes) {
      try {
        this.nats.publish(Subjects.nodeDesiredUpdate(node), JSON.stringify(this.service.stateFor(node)));
        this.metrics.desiredUpdates.inc();
      } catch (error) {
        this.logger.warn({ msg: 'could not publish desired state', node, error: String(error) });
      }
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
