import { Logger } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import { ClusterState } from '@berth/cluster-state';
import { QueueGroups } from '@berth/contracts';
import { EventStore, LeaderLease, Lease } from '@berth/event-store';
import { DesiredStateHandler } from '../desired-state/desired-state.handler';
import { DesiredStatePublisher } from '../desired-state/desired-state.publisher';
import { DesiredStateService } from '../desired-state/desired-state.service';
import { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { StateFollower } from '../state/state-follower';
import { AppendExecutor } from './append-executor';
import { Reconciler, ReconcilerSettings } from './reconciler';

export interface SchedulerSettings extends ReconcilerSettings {
  readonly desiredUpdateCoalesceMs: number;
  readonly leaseRetryMs: number;
  readonly leaseCheckMs: number;
  readonly appendConcurrency: number;
}

export interface SchedulerRuntimeOptions {
  readonly store: EventStore;
  readonly nats: NatsConnection;
  /** For LISTEN (new events arrive at once). */
  readonly databaseUrl?: string;
  readonly registry: Registry;
  readonly settings: SchedulerSettings;
  /** Default: a Postgres advisory lock named after the schema. */
  readonly lease?: Lease;
  readonly queueGroup?: string;
  readonly clock?: () => number;
}

/**
 * One scheduler copy, without Nest: follows the log into a ClusterState, answers desired-state
 * requests, and, while it holds the lease, runs the controllers and publishes desired-state updates.
 */
export class SchedulerRuntime {
  private readonly logger = new Logger(SchedulerRuntime.name);
  readonly follower: StateFollower;
  readonly reconciler: Reconciler;
  readonly desired: DesiredStateService;
  readonly metrics: SchedulerMetrics;
  private readonly lease: Lease;
  private readonly publisher: DesiredStatePublisher;
  private readonly handler: DesiredStateHandler;
  private started: Promise<void> | null = null;
  private stopping = false;

  constructor(options: SchedulerRuntimeOptions) {
    const { store, settings } = options;
    this.metrics = new SchedulerMetrics(options.registry);
    this.follower = new StateFollower(store, { listenUrl: options.databaseUrl });
    this.lease =
      options.lease ?? new LeaderLease(store, { owner: 'scheduler', name: `berth-scheduler:${store.schema}`, retryMs: settings.leaseRetryMs, checkMs: settings.leaseCheckMs });
    this.reconciler = new Reconciler(this.follower, this.lease, new AppendExecutor(store, settings.appendConcurrency), this.metrics, settings, options.clock);
    this.desired = new DesiredStateService(this.follower.state);
    this.publisher = new DesiredStatePublisher(options.nats, this.desired, this.lease, this.follower.state, this.metrics, settings.desiredUpdateCoalesceMs);
    this.handler = new DesiredStateHandler(options.nats, this.desired, this.metrics, options.queueGroup ?? QueueGroups.scheduler);

    this.follower.onChange((change) => {
      this.reconciler.onStateChange(change);
      this.publisher.onStateChange(change);
    });
    this.lease.onChange((held) => {
      this.metrics.leader.set(held ? 1 : 0);
      if (!held) {
        this.logger.warn({ msg: 'controller lease lost: standing by' });
        return;
      }
      void this.follower
        .catchUp()
        .then(() => {
          this.reconciler.markAll();
          this.publisher.publishAll();
        })
        .catch((error: unknown) => this.logger.warn({ msg: 'could not catch up after taking the lease', error: String(error) }));
    });
  }

  get state(): ClusterState {
    return this.follower.state;
  }

  get isLeader(): boolean {
    return this.lease.isHeld;
  }

  /** Resolves once the state has caught up with the log and requests are answered. */
  start(): Promise<void> {
    this.started ??= this.boot();
    return this.started;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.started?.catch(() => undefined);
    this.publisher.stop();
    await this.reconciler.stop();
    await this.lease.stop();
    await this.handler.stop();
    await this.follower.stop();
  }

  private async boot(): Promise<void> {
    await this.follower.start();
    if (this.stopping) return;
    // Only a caught-up copy may answer: a partial set would make an agent stop replicas it should run.
    this.handler.start();
    this.reconciler.start();
    this.lease.start();
    if (this.lease.isHeld) this.reconciler.markAll();
  }
}
