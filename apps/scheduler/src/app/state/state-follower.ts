import { Logger } from '@nestjs/common';
import { applyInPlace, ClusterState, emptyClusterState, ReplicaState } from '@berth/cluster-state';
import { categoryOf, RecordedEvent } from '@berth/contracts';
import { EventStore, Subscription } from '@berth/event-store';

export interface StateChange {
  readonly event: RecordedEvent;
  /** For replica events: the replica as it was before the event, and after it (undefined once deleted). */
  readonly replicaBefore?: ReplicaState;
  readonly replicaAfter?: ReplicaState;
}

export type StateListener = (change: StateChange, state: ClusterState) => void;

export interface StateFollowerOptions {
  /** Connection string for LISTEN, so new events arrive at once instead of on the next poll. */
  readonly listenUrl?: string;
  readonly batchSize?: number;
  readonly idlePollMs?: number;
  /** Wait before re-subscribing after the subscription failed (database restart). */
  readonly retryMs?: number;
}

/** No progress within the time given. */
export class StateTimeout extends Error {
  override readonly name = 'StateTimeout';
}

/**
 * The scheduler's picture of the cluster: a subscription from position 0 folds every event of the log
 * into a ClusterState, then follows new events live. Restarting rebuilds the same state from the log.
 */
export class StateFollower {
  readonly state: ClusterState = emptyClusterState();
  private readonly logger = new Logger(StateFollower.name);
  private readonly listeners: StateListener[] = [];
  private subscription: Subscription | null = null;
  private stopped = false;
  private caughtUp = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly options: StateFollowerOptions = {},
  ) {}

  get position(): number {
    return this.state.position;
  }

  /** True once the state has reached the head the log had at start-up. */
  get isCaughtUp(): boolean {
    return this.caughtUp;
  }

  onChange(listener: StateListener): void {
    this.listeners.push(listener);
  }

  /** Starts following and resolves once the state has caught up with the log's head. */
  async start(timeoutMs = 10 * 60_000): Promise<void> {
    this.subscribe();
    await this.waitFor(await this.store.headPosition(), timeoutMs);
    this.caughtUp = true;
    this.logger.log({ msg: 'cluster state caught up', position: this.position, deployments: this.state.deployments.size, replicas: this.state.replicas.size, nodes: this.state.nodes.size });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.subscription?.stop();
  }

  /** Resolves once every event up to `position` is in the state. */
  async waitFor(position: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.state.position < position) {
      if (this.stopped) throw new StateTimeout('state follower stopped');
      if (Date.now() > deadline) throw new StateTimeout(`cluster state at ${this.state.position}, not ${position}, after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** Resolves once the state has every event committed before this call. */
  async catchUp(timeoutMs = 30_000): Promise<void> {
    await this.waitFor(await this.store.headPosition(), timeoutMs);
  }

  private subscribe(): void {
    const subscription = this.store.subscribe(this.state.position, (event) => this.apply(event), {
      listenUrl: this.options.listenUrl,
      batchSize: this.options.batchSize ?? 5_000,
      idlePollMs: this.options.idlePollMs,
      onError: (error) => this.logger.warn({ msg: 'event subscription error', error: String(error) }),
    });
    this.subscription = subscription;
    subscription.finished().then(
      () => undefined,
      () => {
        // The database went away: resume from the last folded position.
        if (this.stopped || this.subscription !== subscription) return;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          if (!this.stopped) this.subscribe();
        }, this.options.retryMs ?? 1_000);
      },
    );
  }

  private apply(event: RecordedEvent): void {
    const isReplica = categoryOf(event.streamId) === 'replica';
    const uid = isReplica ? event.streamId.slice('replica:'.length) : '';
    const replicaBefore = isReplica ? this.state.replicas.get(uid) : undefined;
    try {
      applyInPlace(this.state, event);
    } catch (error) {
      // The reducer is total over catalogue events; a bug must not stop the scheduler at this event forever.
      this.logger.error({ msg: 'could not fold event', position: event.globalPosition, type: event.type, error: String(error) });
      this.state.position = event.globalPosition;
    }
    const change: StateChange = { event, replicaBefore, replicaAfter: isReplica ? this.state.replicas.get(uid) : undefined };
    for (const listener of this.listeners) {
      try {
        listener(change, this.state);
      } catch (error) {
        this.logger.error({ msg: 'state listener failed', position: event.globalPosition, error: String(error) });
      }
    }
  }
}
