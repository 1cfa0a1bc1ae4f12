import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { EventStore } from '@berth/event-store';
import { NATS_CONNECTION } from '@berth/messaging';
import { MetricsRegistry } from '@berth/service-kit';
import { AUTOSCALER_CONFIG, AutoscalerConfig, autoscalerSettings } from '../app.config';
import { AutoscalerRuntime } from './autoscaler.runtime';

/** The Nest shell around AutoscalerRuntime: starts it once the app is up, stops it before connections close. */
@Injectable()
export class AutoscalerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AutoscalerService.name);
  readonly runtime: AutoscalerRuntime;

  constructor(
    store: EventStore,
    @Inject(NATS_CONNECTION) nats: NatsConnection,
    metrics: MetricsRegistry,
    @Inject(AUTOSCALER_CONFIG) config: AutoscalerConfig,
  ) {
    this.runtime = new AutoscalerRuntime({ store, nats, databaseUrl: config.DATABASE_URL, registry: metrics.registry, settings: autoscalerSettings(config) });
  }

  onApplicationBootstrap(): void {
    // Replaying a long log must not hold up /healthz.
    this.runtime.start().catch((error: unknown) => this.logger.error({ msg: 'autoscaler failed to start', error: String(error) }));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}
