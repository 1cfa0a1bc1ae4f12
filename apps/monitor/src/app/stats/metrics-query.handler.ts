import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { NatsConnection, Subscription } from 'nats';
import { QueueGroups, Subjects } from '@berth/contracts';
import { NATS_CONNECTION } from '@berth/messaging';
import { metricsQuerySchema } from '@berth/contracts';
import { subscribeParsed } from '../nats/nats-messages';
import { StatsService } from './stats.service';

/** `berth.metrics.query` requests -> MetricsAnswer replies. */
@Injectable()
export class MetricsQueryHandler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MetricsQueryHandler.name);
  private subscription: Subscription | null = null;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    private readonly stats: StatsService,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = subscribeParsed(this.nats, {
      subject: Subjects.metricsQuery,
      queue: QueueGroups.monitor,
      schema: metricsQuerySchema,
      logger: this.logger,
      handle: (query) => this.stats.query(query),
    });
  }

  beforeApplicationShutdown(): void {
    if (!this.nats.isClosed()) this.subscription?.unsubscribe();
  }
}
