import { Logger } from '@nestjs/common';
import { applyInPlace, ClusterState, emptyClusterState } from '@berth/cluster-state';
import { RecordedEvent } from '@berth/contracts';
import { EventStore, Subscription } from '@berth/event-store';
import { HpaState } from './hpa-state';

/** No progress within the time given. */
export class StateTimeout extends Error {
  override readonly name = 'StateTimeout';
}

export interface StateFollowerOptions {
  /** Connection string for LISTEN, so new events arrive at once instead of on the next poll. */
  readonly listenUrl?: string;
  readonly retryMs?: number;
}

/**
 * The autoscaler's picture: every event from position 0 folded into a ClusterState (deployments,
 * replicas) and the HpaState (HPAs, services, decision history), then followed live.
 */
export class StateFollower {
  readonly cluster: ClusterState = emptyClusterState();
  readonly hpas = new HpaState();
  private readonly logger = new Logger(StateFollower.name);
  private subscription: Subscription | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly options: StateFollowerOptions = {},
  ) {}

  get position(): number {
    return this.cluster.position;
  }

  async start(timeoutMs = 10 * 60_000): Promise<void> {
    this.subscribe();
    await this.catchUp(timeoutMs);
    this.logger.log({ msg: 'state caught up', position: this.position, hpas: this.hpas.hpas.size, deployments: this.cluster.deployments.size });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.subscription?.stop();
  }

  /** Resolves once the state has every event committed before this call. */
  async catchUp(timeoutMs = 30_000): Promise<void> {
    const head = await this.store.headPosition();
    const deadline = Date.now() + timeoutMs;
    while (this.cluster.position < head) {
      if (this.stopped) throw new StateTimeout('state follower stopped');
      if (Date.now() > deadline) throw new StateTimeout(`state at ${this.cluster.position}, not ${head}, after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  private subscribe(): void {
    const subscription = this.store.subscribe(this.cluster.position, (event) => this.apply(event), {
      listenUrl: this.options.listenUrl,
      batchSize: 5_000,
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
    try {
      applyInPlace(this.cluster, event);
      this.hpas.apply(event);
    } catch (error) {
      // A fold bug must not stop the autoscaler at this event forever.
      this.logger.error({ msg: 'could not fold event', position: event.globalPosition, type: event.type, error: String(error) });
      this.cluster.position = event.globalPosition;
    }
  }
}
