import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { NATS_CONNECTION } from '@berth/messaging';
import { MetricsRegistry } from '@berth/service-kit';
import type { NodeAgentConfig } from '../app.config';
import type { NodeHostSet } from '../runtime/node-hosts';
import { AgentMetrics } from '../shared/agent-metrics';
import { ConnectionWatch } from '../shared/connection-watch';
import { TimerQueue } from '../shared/timer-queue';
import { NodeAgent } from './node-agent';

export const NODE_AGENT_CONFIG = Symbol('NODE_AGENT_CONFIG');
export const NODE_HOSTS = Symbol('NODE_HOSTS');

/**
 * Runs the node agents of this process (one for a Docker host, N for hollow nodes) on shared
 * machinery: one NATS connection, one timer queue, one heartbeat and one stats timer for all.
 */
@Injectable()
export class AgentFleetService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AgentFleetService.name);
  private readonly timers = new TimerQueue((error) => this.logger.error({ msg: 'timer task failed', error: String(error) }));
  private readonly connection: ConnectionWatch;
  private readonly agents: NodeAgent[];
  private readonly intervals: NodeJS.Timeout[] = [];

  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    @Inject(NODE_HOSTS) private readonly hosts: NodeHostSet,
    @Inject(NODE_AGENT_CONFIG) private readonly config: NodeAgentConfig,
    metricsRegistry: MetricsRegistry,
  ) {
    this.connection = new ConnectionWatch(nats);
    const metrics = new AgentMetrics(metricsRegistry.registry);
    this.agents = hosts.hosts.map((host) => new NodeAgent(host, { nats, config, timers: this.timers, metrics, connection: this.connection, registry: metricsRegistry.registry }));
  }

  get nodes(): NodeAgent[] {
    return this.agents;
  }

  onApplicationBootstrap(): void {
    this.connection.start();
    this.connection.onReconnect(() => this.agents.forEach((agent) => agent.reconnected()));
    for (const agent of this.agents) {
      agent.start().catch((error: unknown) => this.logger.error({ msg: 'node agent failed to start', node: agent.name, error: String(error) }));
    }
    this.intervals.push(setInterval(() => this.agents.forEach((agent) => agent.heartbeat()), this.config.HEARTBEAT_INTERVAL_MS));
    this.intervals.push(
      setInterval(() => {
        for (const agent of this.agents) void agent.publishStats().catch((error: unknown) => this.logger.warn({ msg: 'stats failed', node: agent.name, error: String(error) }));
      }, this.config.STATS_INTERVAL_MS),
    );
    this.logger.log({ msg: 'node agents starting', runtime: this.config.RUNTIME, nodes: this.agents.length });
  }

  /** Before NATS drains: stop the loops, keep containers running, leave unacked reports on disk. */
  async beforeApplicationShutdown(): Promise<void> {
    this.intervals.forEach((interval) => clearInterval(interval));
    this.connection.stop();
    await Promise.all(this.agents.map((agent) => agent.stop()));
    this.timers.close();
    this.hosts.close();
  }
}
