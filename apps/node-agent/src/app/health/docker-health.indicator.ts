import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import Docker from 'dockerode';

export const DOCKER_CLIENT = Symbol('DOCKER_CLIENT');

/** Readiness: the Docker engine this agent drives answers a ping. */
@Injectable()
export class DockerHealthIndicator {
  constructor(
    @Inject(DOCKER_CLIENT) private readonly docker: Docker,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'docker'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      await this.docker.ping();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
