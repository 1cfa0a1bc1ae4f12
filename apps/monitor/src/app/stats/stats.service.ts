import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { NodeStats } from '@berth/contracts';
import { MetricsAnswer, MetricsQuery, MetricsStore, ReplicaSample, ServiceSample } from '@berth/read-models';
import { MONITOR_CONFIG, MonitorConfig } from '../app.config';
import { assertSameNode } from '../nats/nats-messages';
import { MonitorMetrics } from '../observability/monitor-metrics';
import { SampleBatcher } from './sample-batcher';

/**
 * Usage samples from the agents into the metrics store (batched), the periodic rollup and
 * retention job, and the window queries of the autoscaler and `berth top`.
 */
@Injectable()
export class StatsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StatsService.name);
  private readonly batcher: SampleBatcher<ReplicaSample>;
  private readonly serviceBatcher: SampleBatcher<ServiceSample>;
  private rollupTimer: NodeJS.Timeout | null = null;
  private rollupRunning: Promise<void> | null = null;

  constructor(
    @Inject(MONITOR_CONFIG) private readonly config: MonitorConfig,
    private readonly store: MetricsStore,
    private readonly metrics: MonitorMetrics,
  ) {
    this.batcher = new SampleBatcher(
      async (batch) => {
        await this.store.insertReplicaSamples(batch);
        this.metrics.statsSamples.inc(batch.length);
      },
      {
        maxBatch: config.STATS_BATCH_SIZE,
        flushIntervalMs: config.STATS_FLUSH_MS,
        onError: (error, samples) => this.logger.warn({ msg: 'could not store usage samples, will retry', samples, error: String(error) }),
      },
    );
    this.serviceBatcher = new SampleBatcher(
      async (batch) => {
        await this.store.insertServiceSamples(batch);
        this.metrics.statsSamples.inc(batch.length);
      },
      {
        maxBatch: config.STATS_BATCH_SIZE,
        flushIntervalMs: config.STATS_FLUSH_MS,
        onError: (error, samples) => this.logger.warn({ msg: 'could not store service samples, will retry', samples, error: String(error) }),
      },
    );
  }

  onApplicationBootstrap(): void {
    this.batcher.start();
    this.serviceBatcher.start();
    this.rollupTimer = setInterval(() => void this.rollup(), this.config.ROLLUP_INTERVAL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.rollupTimer) clearInterval(this.rollupTimer);
    await this.rollupRunning;
    await this.batcher.stop();
    await this.serviceBatcher.stop();
  }

  /** Queues one stats message's samples; returns how many. */
  record(stats: NodeStats, subject: string): number {
    assertSameNode(subject, stats.node);
    // A sample stamped in the future (clock skew) would hide from every window: clamp it to now.
    const at = new Date(Math.min(stats.at, Date.now()));
    this.batcher.add(stats.replicas.map((r) => ({ replicaUid: r.uid, node: stats.node, at, cpuPercent: r.cpuPercent, memoryBytes: r.memoryBytes })));
    this.serviceBatcher.add(stats.services.map((s) => ({ ...s, node: stats.node, at })));
    return stats.replicas.length + stats.services.length;
  }

  query(query: MetricsQuery): Promise<MetricsAnswer> {
    return this.store.query(query);
  }

  /** Writes what is queued now (tests, shutdown). */
  flush(): Promise<void> {
    return this.batcher.flush();
  }

  rollup(): Promise<void> {
    this.rollupRunning ??= this.store
      .rollupAndPrune({ rawMinutes: this.config.RETENTION_RAW_MINUTES, rollupHours: this.config.RETENTION_ROLLUP_HOURS })
      .then((result) => {
        if (result) this.logger.debug({ msg: 'metrics rolled up', ...result });
      })
      .catch((error: unknown) => this.logger.warn({ msg: 'metrics rollup failed', error: String(error) }))
      .finally(() => {
        this.rollupRunning = null;
      });
    return this.rollupRunning;
  }
}
