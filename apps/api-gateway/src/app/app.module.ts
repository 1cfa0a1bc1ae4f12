import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { controlPlaneSettings } from '@berth/config';
import { ControlPlaneModule } from '@berth/messaging';
import { apiReadModelMigrations, ApiReadModelsModule } from '@berth/api-read-models';
import { GATEWAY_CONFIG, GatewayConfig } from './app.config';
import { ApplyModule } from './apply/apply.module';
import { AuthModule } from './auth/auth.module';
import { DeploymentsModule } from './deployments/deployments.module';
import { DiscoveryModule } from './discovery/discovery.module';
import { EventsModule } from './events/events.module';
import { HpasModule } from './hpas/hpas.module';
import { LogsModule } from './logs/logs.module';
import { ResourceMetricsModule } from './metrics/metrics.module';
import { NamespacesModule } from './namespaces/namespaces.module';
import { NodesModule } from './nodes/nodes.module';
import { OpenApiModule } from './openapi/openapi.module';
import { PodsModule } from './pods/pods.module';
import { ServicesModule } from './services/services.module';
import { ApiReplyInterceptor } from './shared/api-reply.interceptor';
import { HttpServerHardening } from './shared/http-server.hardening';
import { RawBodyInstaller } from './shared/raw-body.reader';
import { RequestMetrics } from './shared/request-metrics';
import { StatusExceptionFilter } from './shared/status-exception.filter';
import { WatchModule } from './watch/watch.module';

/** The validated configuration, injectable everywhere as GATEWAY_CONFIG. */
@Global()
@Module({})
class GatewayConfigModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return { module: GatewayConfigModule, providers: [{ provide: GATEWAY_CONFIG, useValue: config }], exports: [GATEWAY_CONFIG] };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    const settings = controlPlaneSettings('api-gateway', config, config.RELAY_ENABLED);
    // The API read models' tables are migrated with the log's, on the same DataSource.
    const database = { ...settings.database, migrations: apiReadModelMigrations };
    return {
      module: AppModule,
      imports: [
        ControlPlaneModule.forRoot({ ...settings, database }),
        GatewayConfigModule.forRoot(config),
        ApiReadModelsModule.forRoot(),
        AuthModule,
        DiscoveryModule,
        OpenApiModule,
        NamespacesModule,
        DeploymentsModule,
        ServicesModule,
        HpasModule,
        PodsModule,
        LogsModule,
        NodesModule,
        EventsModule,
        ApplyModule,
        ResourceMetricsModule,
        WatchModule,
      ],
      providers: [
        RequestMetrics,
        RawBodyInstaller,
        HttpServerHardening,
        { provide: APP_FILTER, useClass: StatusExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: ApiReplyInterceptor },
      ],
    };
  }
}
