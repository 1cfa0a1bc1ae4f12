import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource, createPool, DatabaseOptions, runMigrations } from './data-source';
import { EventStore } from './event-store';

export const EVENT_STORE_OPTIONS = Symbol('EVENT_STORE_OPTIONS');
export const PG_POOL = Symbol('PG_POOL');

export interface EventStoreModuleOptions extends DatabaseOptions {
  /** Run pending migrations before the service starts (default true). */
  migrate?: boolean;
}

/** Closes the pool and the data source when the service stops. */
@Injectable()
class EventStoreLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.dataSource.destroy().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}

/** Readiness: can we run a query on the log's database right now? */
@Injectable()
export class PostgresHealthIndicator {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'postgres'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      await this.pool.query('SELECT 1');
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}

/** The event log as a Nest module: a thin shell around EventStore and a TypeORM DataSource. */
@Global()
@Module({})
export class EventStoreModule {
  static forRootAsync(options: { useFactory: (...deps: never[]) => EventStoreModuleOptions; inject?: never[] }): DynamicModule {
    return {
      module: EventStoreModule,
      imports: [TerminusModule],
      providers: [
        { provide: EVENT_STORE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: DataSource,
          inject: [EVENT_STORE_OPTIONS],
          useFactory: async (opts: EventStoreModuleOptions) => {
            if (opts.migrate !== false) {
              const applied = await runMigrations(opts);
              if (applied.length > 0) new Logger('EventStoreModule').log({ msg: 'migrations applied', applied, schema: opts.schema });
            }
            return createDataSource(opts).initialize();
          },
        },
        { provide: PG_POOL, inject: [EVENT_STORE_OPTIONS], useFactory: (opts: EventStoreModuleOptions) => createPool(opts) },
        {
          provide: EventStore,
          inject: [PG_POOL, EVENT_STORE_OPTIONS, DataSource],
          useFactory: (pool: Pool, opts: EventStoreModuleOptions) => new EventStore(pool, opts.schema),
        },
        EventStoreLifecycle,
        PostgresHealthIndicator,
      ],
      exports: [DataSource, PG_POOL, EventStore, EVENT_STORE_OPTIONS, PostgresHealthIndicator],
    };
  }
}
