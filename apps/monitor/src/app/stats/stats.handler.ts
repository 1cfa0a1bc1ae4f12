import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { NatsConnection, Subscription } from 'nats';
import { nodeStatsSchema, QueueGroups, Subjects } from '@berth/contracts';
import { NATS_CONNECTION } from '@berth/messaging';
import { subscribeParsed } from '../nats/nats-messages';
import { MonitorMetrics } from '../observability/monitor-metrics';
import { StatsService } from './stats.service';

/** NodeStats publishes (shared by the monitor copies) -> the metrics store. */
@Injectable()
export class StatsHandler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StatsHandler.name);
  private subscription: Subscription | null = null;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    private readonly stats: StatsService,
    private readonly metrics: MonitorMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = subscribeParsed(this.nats, {
      subject: Subjects.anyNodeStats,
      queue: QueueGroups.monitor,
      schema: nodeStatsSchema,
      logger: this.logger,
      onInvalid: () => this.metrics.invalidMessages.inc({ kind: 'stats' }),
      handle: (stats, msg) => void this.stats.record(stats, msg.subject),
    });
  }

  beforeApplicationShutdown(): void {
    if (!this.nats.isClosed()) this.subscription?.unsubscribe();
  }
}
