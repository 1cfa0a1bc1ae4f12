import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import Docker from 'dockerode';
import { DOCKER_CLIENT, DockerHealthIndicator } from './docker-health.indicator';

/** The Docker engine client of this node, and its readiness check. */
@Global()
@Module({})
export class DockerModule {
  static forRoot(socketPath: string): DynamicModule {
    return {
      module: DockerModule,
      imports: [TerminusModule],
      providers: [{ provide: DOCKER_CLIENT, useValue: new Docker({ socketPath }) }, DockerHealthIndicator],
      exports: [DOCKER_CLIENT, DockerHealthIndicator],
    };
  }
}
