import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { EventStore } from '@berth/event-store';
import { NATS_CONNECTION } from '@berth/messaging';
import { MetricsRegistry } from '@berth/service-kit';
import { SCHEDULER_CONFIG, SchedulerConfig, schedulerSettings } from '../app.config';
import { SchedulerRuntime } from './scheduler.runtime';

/** The Nest shell around SchedulerRuntime: starts it once the app is up, stops it before connections close. */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SchedulerService.name);
  readonly runtime: SchedulerRuntime;

  constructor(
    store: EventStore,
    @Inject(NATS_CONNECTION) nats: NatsConnection,
    metrics: MetricsRegistry,
    @Inject(SCHEDULER_CONFIG) config: SchedulerConfig,
  ) {
    this.runtime = new SchedulerRuntime({ store, nats, databaseUrl: config.DATABASE_URL, registry: metrics.registry, settings: schedulerSettings(config) });
  }

  onApplicationBootstrap(): void {
    // Replaying a long log must not hold up /healthz: the runtime answers nodes once it has caught up.
    this.runtime.start().catch((error: unknown) => this.logger.error({ msg: 'scheduler failed to start', error: String(error) }));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}
