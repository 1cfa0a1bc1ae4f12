import { DynamicModule, Module } from '@nestjs/common';
import { NatsHealthIndicator, NatsModule } from '@berth/messaging';
import { ServiceKitModule } from '@berth/service-kit';
import { AgentModule } from './agent/agent.module';
import { NodeAgentConfig } from './app.config';
import { DockerHealthIndicator } from './health/docker-health.indicator';
import { DockerModule } from './health/docker.module';

/** The node-agent speaks only NATS (never Postgres) and drives its node's Docker engine (or hollow nodes). */
@Module({})
export class AppModule {
  static forRoot(config: NodeAgentConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DockerModule.forRoot(config.DOCKER_SOCKET),
        NatsModule.forRootAsync({
          useFactory: () => ({ url: config.NATS_URL, name: `berth-node-agent-${config.NODE_NAME}`, user: config.NATS_USER, password: config.NATS_PASSWORD }),
        }),
        ServiceKitModule.forRoot({
          name: 'node-agent',
          logLevel: config.LOG_LEVEL,
          // Hollow nodes need no Docker engine.
          readiness: config.RUNTIME === 'docker' ? [NatsHealthIndicator, DockerHealthIndicator] : [NatsHealthIndicator],
        }),
        AgentModule.forRoot(config),
      ],
    };
  }
}
