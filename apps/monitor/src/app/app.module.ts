import { DynamicModule, Global, Module } from '@nestjs/common';
import { controlPlaneSettings } from '@berth/config';
import { ControlPlaneModule } from '@berth/messaging';
import { readModelEntities, readModelMigrations, ReadModelsModule } from '@berth/read-models';
import { MONITOR_CONFIG, MonitorConfig } from './app.config';
import { LivenessModule } from './liveness/liveness.module';
import { ObservabilityModule } from './observability/observability.module';
import { ReportsModule } from './reports/reports.module';
import { StatsModule } from './stats/stats.module';

/** The validated configuration, injectable everywhere as MONITOR_CONFIG. */
@Global()
@Module({})
class MonitorConfigModule {
  static forRoot(config: MonitorConfig): DynamicModule {
    return { module: MonitorConfigModule, providers: [{ provide: MONITOR_CONFIG, useValue: config }], exports: [MONITOR_CONFIG] };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: MonitorConfig): DynamicModule {
    const settings = controlPlaneSettings('monitor', config, config.RELAY_ENABLED);
    // The read models' tables are migrated with the log's, on the same DataSource.
    const database = { ...settings.database, entities: readModelEntities, migrations: readModelMigrations };
    return {
      module: AppModule,
      imports: [
        ControlPlaneModule.forRoot({ ...settings, database }),
        MonitorConfigModule.forRoot(config),
        ReadModelsModule.forRoot({ project: true, metricsRawRetentionMinutes: config.RETENTION_RAW_MINUTES }),
        ObservabilityModule,
        LivenessModule,
        ReportsModule,
        StatsModule,
      ],
    };
  }
}
