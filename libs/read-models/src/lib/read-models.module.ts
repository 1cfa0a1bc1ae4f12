import { BeforeApplicationShutdown, DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { EVENT_STORE_OPTIONS, EventStore, EventStoreModuleOptions, PG_POOL } from '@berth/event-store';
import { AdvisoryLease, AdvisoryLeaseOptions } from './lease';
import { MetricsStore } from './metrics';
import { NodesReadModel } from './nodes';
import { readModelNamed, readModels } from './read-models';
import { ReadModelsRunner } from './read-models.runner';

export const READ_MODELS_OPTIONS = Symbol('READ_MODELS_OPTIONS');

export interface ReadModelsModuleOptions {
  /** Run the projections in this service (default true); false = only query them. */
  project?: boolean;
  /** Read models to run (default: all of them). */
  models?: string[];
  /** Windows longer than this are answered from rollups (default 60). */
  metricsRawRetentionMinutes?: number;
}

/** Starts the projections when the app has booted and stops them before the pool closes. */
@Injectable()
export class ReadModelsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReadModelsService.name);
  readonly runner: ReadModelsRunner;

  constructor(
    dataSource: DataSource,
    store: EventStore,
    @Inject(EVENT_STORE_OPTIONS) database: EventStoreModuleOptions,
    @Inject(READ_MODELS_OPTIONS) private readonly options: ReadModelsModuleOptions,
  ) {
    const models = options.models ? options.models.map(readModelNamed) : readModels;
    this.runner = new ReadModelsRunner(dataSource, store, models, {
      listenUrl: database.url,
      onError: (model, error) => this.logger.warn({ msg: 'projection failed, will retry', model, error: String(error) }),
    });
  }

  onApplicationBootstrap(): void {
    if (this.options.project !== false) this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }

  catchUp(): Promise<void> {
    return this.runner.catchUp();
  }
}

/** Makes leases (advisory locks) scoped to this service's database schema. */
@Injectable()
export class LeaseFactory {
  constructor(@Inject(EVENT_STORE_OPTIONS) private readonly database: EventStoreModuleOptions) {}

  create(name: string, options: AdvisoryLeaseOptions = {}): AdvisoryLease {
    return new AdvisoryLease(this.database.url, `berth-lease:${this.database.schema}:${name}`, {
      applicationName: `berth-lease-${name}`,
      ...options,
    });
  }
}

/**
 * Read models as a Nest module (needs EventStoreModule, whose DataSource must have been given
 * `readModelEntities` and `readModelMigrations`). Global, like EventStoreModule: import it once.
 */
@Global()
@Module({})
export class ReadModelsModule {
  static forRoot(options: ReadModelsModuleOptions = {}): DynamicModule {
    return {
      module: ReadModelsModule,
      providers: [
        { provide: READ_MODELS_OPTIONS, useValue: options },
        ReadModelsService,
        LeaseFactory,
        { provide: NodesReadModel, inject: [DataSource], useFactory: (dataSource: DataSource) => new NodesReadModel(dataSource) },
        {
          provide: MetricsStore,
          inject: [PG_POOL, EVENT_STORE_OPTIONS],
          useFactory: (pool: Pool, database: EventStoreModuleOptions) => new MetricsStore(pool, database.schema, options.metricsRawRetentionMinutes),
        },
      ],
      exports: [ReadModelsService, LeaseFactory, NodesReadModel, MetricsStore],
    };
  }
}
