import { DynamicModule, Module } from '@nestjs/common';
import Dockerode from 'dockerode';
import type { NodeAgentConfig } from '../app.config';
import { DOCKER_CLIENT } from '../health/docker-health.indicator';
import { createNodeHosts } from '../runtime/node-hosts';
import { AgentFleetService, NODE_AGENT_CONFIG, NODE_HOSTS } from './agent-fleet.service';

/** The node agents of this process (needs NatsModule, DockerModule and ServiceKitModule). */
@Module({})
export class AgentModule {
  static forRoot(config: NodeAgentConfig): DynamicModule {
    return {
      module: AgentModule,
      providers: [
        { provide: NODE_AGENT_CONFIG, useValue: config },
        { provide: NODE_HOSTS, inject: [DOCKER_CLIENT], useFactory: (docker: Dockerode) => createNodeHosts(config, docker) },
        AgentFleetService,
      ],
      exports: [AgentFleetService],
    };
  }
}
