import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseOptions } from '@berth/event-store';
import { EventStoreModule, PostgresHealthIndicator } from '@berth/event-store';
import { ServiceKitModule } from '@berth/service-kit';
import { NatsHealthIndicator, NatsModule, RelayModule } from './messaging.module';
import { NatsOptions } from './nats-connection';

export interface ControlPlaneSettings {
  service: string;
  logLevel: string;
  nats: NatsOptions;
  /** The log's database; `entities`/`migrations` add the read models this service projects. */
  database: Pick<DatabaseOptions, 'url' | 'schema' | 'poolSize' | 'entities' | 'migrations'>;
  /** Run a relay candidate in this service (one copy cluster-wide is active). */
  relay: boolean;
}

/**
 * What every control-plane service (gateway, scheduler, autoscaler, monitor) stands on:
 * logs, health and metrics, the event log (migrated at start-up), NATS, and optionally
 * a candidate for the event relay.
 */
@Module({})
export class ControlPlaneModule {
  static forRoot(settings: ControlPlaneSettings): DynamicModule {
    return {
      module: ControlPlaneModule,
      imports: [
        ServiceKitModule.forRoot({
          name: settings.service,
          logLevel: settings.logLevel,
          readiness: [PostgresHealthIndicator, NatsHealthIndicator],
        }),
        EventStoreModule.forRootAsync({
          useFactory: () => ({ ...settings.database, applicationName: `berth-${settings.service}` }),
        }),
        NatsModule.forRootAsync({ useFactory: () => ({ ...settings.nats, name: `berth-${settings.service}` }) }),
        ...(settings.relay ? [RelayModule.forRootAsync({ useFactory: () => ({ databaseUrl: settings.database.url }) })] : []),
      ],
    };
  }
}
