import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { NatsConnection } from 'nats';
import { EventStore } from '@berth/event-store';
import { connectNats, NatsOptions } from './nats-connection';
import { EventRelay, RelayOptions } from './relay';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const RELAY_OPTIONS = Symbol('RELAY_OPTIONS');

/** Drains the connection on shutdown so in-flight publishes are not lost. */
@Injectable()
class NatsLifecycle implements OnApplicationShutdown {
  constructor(@Inject(NATS_CONNECTION) private readonly nats: NatsConnection) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.nats.isClosed()) await this.nats.drain().catch(() => undefined);
  }
}

/** Readiness: is the NATS connection up (not reconnecting, not closed)? */
@Injectable()
export class NatsHealthIndicator {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'nats'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    if (this.nats.isClosed()) return indicator.down({ message: 'connection closed' });
    try {
      const rtt = await this.nats.rtt();
      return indicator.up({ rttMs: rtt });
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}

/** The NATS connection as a Nest module, around the plain `connectNats`. */
@Global()
@Module({})
export class NatsModule {
  static forRootAsync(options: { useFactory: (...deps: never[]) => NatsOptions; inject?: never[] }): DynamicModule {
    return {
      module: NatsModule,
      imports: [TerminusModule],
      providers: [
        {
          provide: NATS_CONNECTION,
          inject: options.inject ?? [],
          useFactory: async (...deps: never[]) => {
            const settings = options.useFactory(...deps);
            const nc = await connectNats(settings);
            const logger = new Logger('NatsModule');
            void (async () => {
              for await (const status of nc.status()) logger.log({ msg: 'nats status', type: status.type, data: String(status.data) });
            })();
            return nc;
          },
        },
        NatsLifecycle,
        NatsHealthIndicator,
      ],
      exports: [NATS_CONNECTION, NatsHealthIndicator],
    };
  }
}

/** Starts the relay when the app has booted; it waits in standby while another copy holds the lease. */
@Injectable()
export class RelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly relay: EventRelay;

  constructor(store: EventStore, @Inject(NATS_CONNECTION) nats: NatsConnection, @Inject(RELAY_OPTIONS) options: RelayOptions) {
    this.relay = new EventRelay(store, nats, options);
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}

/** Runs the event relay inside a service (needs EventStoreModule and NatsModule). */
@Module({})
export class RelayModule {
  static forRootAsync(options: { useFactory: (...deps: never[]) => RelayOptions; inject?: never[] }): DynamicModule {
    return {
      module: RelayModule,
      providers: [{ provide: RELAY_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }, RelayService],
      exports: [RelayService],
    };
  }
}
