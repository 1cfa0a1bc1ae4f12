import { DynamicModule, Module } from '@nestjs/common';
import { natsSettings } from '@berth/config';
import { Subjects } from '@berth/contracts';
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
          // Replies to its requests come under its own subjects, the only ones its NATS credentials allow.
          useFactory: () => ({ ...natsSettings(config, `berth-node-agent-${config.NODE_NAME}`), inboxPrefix: Subjects.nodeInbox(config.NODE_NAME) }),
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
