import { BeforeApplicationShutdown, DynamicModule, Global, Inject, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { EVENT_STORE_OPTIONS, EventStore, EventStoreModuleOptions, PG_POOL } from '@berth/event-store';
import { ApiObjectReader } from './store/api-object.reader';
import { ApiObjectsProjection } from './store/api-objects.projection';
import { BatchProjectionRunner } from './store/batch-projection.runner';
import { ChangeFeed } from './store/change.feed';
import { ProjectionPump } from './store/projection.pump';
import { TokenDirectory } from './store/token.directory';

export const API_READ_MODELS_OPTIONS = Symbol('API_READ_MODELS_OPTIONS');

export interface ApiReadModelsOptions {
  /** Events applied per projection transaction (default 500). */
  batchSize?: number;
  /** How long a token lookup is trusted (default 1 s): the delay of a revocation. */
  tokenCacheMs?: number;
}

/** The projection of the API read models and the queries over them, kept current while the app runs. */
@Injectable()
export class ApiReadModels implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(ApiReadModels.name);
  /** Keeps the read models current (and rebuilds them). */
  readonly runner: BatchProjectionRunner;
  /** The same read models as a Projection, for ProjectionRunner (tools, rebuild checks). */
  readonly projection: ApiObjectsProjection;
  readonly reader: ApiObjectReader;
  readonly pump: ProjectionPump;
  readonly feed: ChangeFeed;
  readonly tokens: TokenDirectory;

  constructor(
    store: EventStore,
    @Inject(PG_POOL) pool: Pool,
    @Inject(EVENT_STORE_OPTIONS) database: EventStoreModuleOptions,
    @Inject(API_READ_MODELS_OPTIONS) options: ApiReadModelsOptions,
  ) {
    this.runner = new BatchProjectionRunner(pool, database.schema, options.batchSize ?? 500);
    this.projection = new ApiObjectsProjection(database.schema);
    this.reader = new ApiObjectReader(pool, database.schema);
    this.pump = new ProjectionPump(this.runner, {
      listenUrl: database.url,
      notifyChannel: store.notifyChannel,
      onError: (error) => this.logger.warn({ msg: 'api read models: projection failed, will retry', error: String(error) }),
      onRegression: (reached, found) => this.logger.warn({ msg: 'api read models: the database lost its newest batches (crash); applying them again', reached, found }),
    });
    this.feed = new ChangeFeed(this.reader, this.pump, (error) => this.logger.warn({ msg: 'watch feed read failed', error: String(error) }));
    this.tokens = new TokenDirectory(this.reader, options.tokenCacheMs);
  }

  /** The read models are current before the app serves anything. */
  async onModuleInit(): Promise<void> {
    await this.pump.start();
    this.logger.log({ msg: 'api read models caught up', position: this.pump.position });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.pump.stop();
  }
}

/**
 * The API read models as a Nest module (needs EventStoreModule, whose DataSource must have
 * run `apiReadModelMigrations`). Global: import it once, in the gateway's root module.
 */
@Global()
@Module({})
export class ApiReadModelsModule {
  static forRoot(options: ApiReadModelsOptions = {}): DynamicModule {
    return {
      module: ApiReadModelsModule,
      providers: [
        { provide: API_READ_MODELS_OPTIONS, useValue: options },
        ApiReadModels,
        { provide: ApiObjectReader, inject: [ApiReadModels], useFactory: (models: ApiReadModels) => models.reader },
        { provide: ProjectionPump, inject: [ApiReadModels], useFactory: (models: ApiReadModels) => models.pump },
        { provide: ChangeFeed, inject: [ApiReadModels], useFactory: (models: ApiReadModels) => models.feed },
        { provide: TokenDirectory, inject: [ApiReadModels], useFactory: (models: ApiReadModels) => models.tokens },
      ],
      exports: [ApiReadModels, ApiObjectReader, ProjectionPump, ChangeFeed, TokenDirectory],
    };
  }
}
