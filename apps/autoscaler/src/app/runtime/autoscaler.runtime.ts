import { Logger } from '@nestjs/common';
import { NatsConnection, Subscription as NatsSubscription } from 'nats';
import { Registry } from 'prom-client';
import type { HpaOptions } from '@berth/autoscaling';
import { externalMetricSampleSchema, parseMessage, Subjects } from '@berth/contracts';
import { EventStore, LeaderLease, Lease } from '@berth/event-store';
import { AutoscalerMetrics } from '../metrics/autoscaler.metrics';
import { ExternalMetricsStore } from '../metrics/external-metrics.store';
import { MetricsSource, NatsMetricsSource } from '../metrics/metrics-source';
import { HpaController, SyncOutcome } from '../scaling/hpa-controller';
import { StateFollower } from '../state/state-follower';

export interface AutoscalerSettings {
  readonly syncPeriodMs: number;
  readonly metricsWindowMs: number;
  readonly metricsTimeoutMs: number;
  readonly externalMetricMaxAgeMs: number;
  readonly leaseRetryMs: number;
  readonly leaseCheckMs: number;
  readonly hpa: HpaOptions;
}

export interface AutoscalerRuntimeOptions {
  readonly store: EventStore;
  readonly nats: NatsConnection;
  /** For LISTEN (new events arrive at once). */
  readonly databaseUrl?: string;
  readonly registry: Registry;
  readonly settings: AutoscalerSettings;
  /** Default: a Postgres advisory lock named `berth-autoscaler:<schema>`. */
  readonly lease?: Lease;
  /** Default: the monitor over NATS. */
  readonly metrics?: MetricsSource;
  readonly clock?: () => number;
}

/**
 * One autoscaler copy, without Nest: follows the log, keeps the last external metric values, and
 * while it holds the lease evaluates every HPA once per sync period.
 */
export class AutoscalerRuntime {
  private readonly logger = new Logger(AutoscalerRuntime.name);
  readonly follower: StateFollower;
  readonly controller: HpaController;
  readonly metrics: AutoscalerMetrics;
  readonly external: ExternalMetricsStore;
  private readonly lease: Lease;
  private readonly clock: () => number;
  private externalSubscription: NatsSubscription | null = null;
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private started: Promise<void> | null = null;
  private stopping = false;
  /** Outcomes of the last sync, for tests and debugging. */
  lastOutcomes: SyncOutcome[] = [];

  constructor(private readonly options: AutoscalerRuntimeOptions) {
    const { store, settings } = options;
    this.clock = options.clock ?? Date.now;
    this.metrics = new AutoscalerMetrics(options.registry);
    this.follower = new StateFollower(store, { listenUrl: options.databaseUrl });
    this.external = new ExternalMetricsStore(settings.externalMetricMaxAgeMs);
    this.lease =
      options.lease ?? new LeaderLease(store, { owner: 'autoscaler', name: `berth-autoscaler:${store.schema}`, retryMs: settings.leaseRetryMs, checkMs: settings.leaseCheckMs });
    this.controller = new HpaController({
      cluster: this.follower.cluster,
      hpas: this.follower.hpas,
      metrics: options.metrics ?? new NatsMetricsSource(options.nats, settings.metricsTimeoutMs),
      external: this.external,
      writer: store,
      settings: { metricsWindowMs: settings.metricsWindowMs, hpa: settings.hpa },
      clock: this.clock,
      telemetry: this.metrics,
    });
    this.lease.onChange((held) => {
      this.metrics.leader.set(held ? 1 : 0);
      // A new holder starts from the log's history, not from what it may have kept from an older term.
      this.controller.resetHistory();
      this.logger.log({ msg: held ? 'autoscaler lease acquired: evaluating' : 'autoscaler lease lost: standing by' });
    });
  }

  get isLeader(): boolean {
    return this.lease.isHeld;
  }

  start(): Promise<void> {
    this.started ??= this.boot();
    return this.started;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.started?.catch(() => undefined);
    if (this.timer) clearTimeout(this.timer);
    await this.syncing;
    if (!this.options.nats.isClosed()) this.externalSubscription?.unsubscribe();
    await this.lease.stop();
    await this.follower.stop();
  }

  /** One evaluation of every HPA, if this copy holds the lease. */
  async syncOnce(): Promise<SyncOutcome[]> {
    if (!this.lease.isHeld) return [];
    // Fresh stream versions: the previous sync's own appends must be folded before deciding again.
    await this.follower.catchUp();
    this.lastOutcomes = await this.controller.syncAll();
    return this.lastOutcomes;
  }

  private async boot(): Promise<void> {
    this.subscribeExternal();
    await this.follower.start();
    if (this.stopping) return;
    this.lease.start();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.syncing = this.syncOnce()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ msg: 'sync failed', error: String(error) }))
        .finally(() => this.schedule());
    }, this.options.settings.syncPeriodMs);
  }

  private subscribeExternal(): void {
    // Every copy listens (no queue group), so a copy that takes the lease already has the values.
    this.externalSubscription = this.options.nats.subscribe(Subjects.anyExternalMetric, {
      callback: (error, msg) => {
        if (error) return;
        try {
          const name = msg.subject.slice(Subjects.externalMetric('').length);
          this.external.record(name, parseMessage(externalMetricSampleSchema, msg.subject, msg.data), this.clock());
        } catch (invalid) {
          this.logger.warn({ msg: 'invalid external metric', subject: msg.subject, error: String(invalid) });
        }
      },
    });
  }
}
