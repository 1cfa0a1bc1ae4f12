import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import type { Registry } from 'prom-client';
import { Subjects } from '@berth/contracts';
import type { NodeAgentConfig } from '../app.config';
import { LogStreamer } from '../logs/log-streamer';
import { LogsHandler, publishChunk, requesterListening } from '../logs/logs.handler';
import { DesiredStateHandler } from '../reconcile/desired-state.handler';
import { NodeReconciler } from '../reconcile/node-reconciler';
import { NodeRegistration } from '../registration/node-registration';
import { natsReportTransport, ReportRejected } from '../reports/nats-report.transport';
import { OutboxJournal } from '../reports/outbox-journal';
import { ReportOutbox } from '../reports/report-outbox';
import type { NodeFacts, NodeHost } from '../runtime/node-host';
import type { AgentMetrics } from '../shared/agent-metrics';
import { ExponentialBackoff } from '../shared/backoff';
import type { ConnectionWatch } from '../shared/connection-watch';
import type { TimerQueue } from '../shared/timer-queue';
import { NodeServiceProxy } from '../services/node-service-proxy';
import { NodeServicesFeed } from '../services/node-services.feed';
import { StatsCollector } from '../stats/stats-collector';

export interface NodeAgentContext {
  nats: NatsConnection;
  config: NodeAgentConfig;
  timers: TimerQueue;
  metrics: AgentMetrics;
  connection: ConnectionWatch;
  /** Given to the node's service proxy for its metrics (one proxy per registry). */
  registry?: Registry;
}

/**
 * Everything one node runs: registration and heartbeats, the desired-state feed, the reconcile
 * loop, the report outbox, stats and logs. A real node has one; a hollow process has N, sharing
 * the NATS connection, the timer queue and the metrics.
 */
export class NodeAgent {
  private readonly logger = new Logger(NodeAgent.name);
  readonly outbox: ReportOutbox;
  readonly reconciler: NodeReconciler;
  private readonly desired: DesiredStateHandler;
  private readonly logs: LogsHandler;
  private readonly stats: StatsCollector;
  /** Absent for hollow nodes and when SERVICE_PROXY_ENABLED is false. */
  readonly services?: NodeServiceProxy;
  private readonly servicesFeed?: NodeServicesFeed;
  private registration?: NodeRegistration;
  private readonly bootId: string;
  private stopped = false;
  private removeMetrics?: () => void;

  constructor(
    readonly host: NodeHost,
    private readonly ctx: NodeAgentContext,
    bootId = randomUUID(),
  ) {
    const { config, nats, timers, metrics } = ctx;
    const node = host.name;
    this.bootId = bootId;
    this.outbox = new ReportOutbox({
      node,
      journal: new OutboxJournal(join(config.STATE_DIR, node, 'outbox.jsonl')),
      transport: natsReportTransport(nats, config.REPORT_TIMEOUT_MS),
      timers,
      maxInFlight: config.REPORT_MAX_IN_FLIGHT,
      retry: { initialMs: 100, maxMs: config.REPORT_RETRY_MAX_MS },
      isRejection: (error) => error instanceof ReportRejected,
      onAcked: (report, latencyMs) => {
        metrics.reports.inc({ kind: report.kind });
        metrics.reportLatency.observe(latencyMs / 1000);
      },
      onRetry: () => metrics.reportRetries.inc(),
    });
    if (config.RUNTIME === 'docker' && config.SERVICE_PROXY_ENABLED) {
      const proxy = new NodeServiceProxy({
        node,
        addresses: { advertise: host.address, loadBalancer: config.SERVICE_LB_ADDRESS ?? host.address },
        drainDelayMs: config.SERVICE_DRAIN_DELAY_MS,
        drainTimeoutMs: config.SERVICE_DRAIN_TIMEOUT_MS,
        ...(ctx.registry ? { registry: ctx.registry } : {}),
      });
      this.services = proxy;
      this.servicesFeed = new NodeServicesFeed(nats, (set) => void proxy.apply(set), {
        node,
        bootId,
        timers,
        requestTimeoutMs: config.SERVICES_REQUEST_TIMEOUT_MS,
        retryMaxMs: config.DESIRED_RETRY_MAX_MS,
      });
    }
    const services = this.services;
    const feed = this.servicesFeed;
    this.reconciler = new NodeReconciler({
      ...(services ? { beforeTerminate: (uid: string) => services.beforeTerminate(uid) } : {}),
      ...(services && feed
        ? {
            serviceEnv: async (replica, position) => {
              await feed.atLeast(position, config.SERVICE_ENV_WAIT_MS);
              return services.environmentFor(replica.namespace);
            },
          }
        : {}),
      node,
      hostIp: host.address,
      hostPortRange: config.HOST_PORT_RANGE,
      runtime: host.runtime,
      probeRunner: host.probeRunner,
      reports: this.outbox,
      timers,
      metrics,
      concurrency: config.RECONCILE_CONCURRENCY,
      restartBackoff: { initialMs: config.RESTART_BACKOFF_INITIAL_MS, maxMs: config.RESTART_BACKOFF_MAX_MS, resetAfterMs: config.RESTART_BACKOFF_RESET_MS },
      resyncIntervalMs: config.RESYNC_INTERVAL_MS,
    });
    this.desired = new DesiredStateHandler(nats, this.reconciler, {
      node,
      bootId,
      timers,
      requestTimeoutMs: config.DESIRED_REQUEST_TIMEOUT_MS,
      retryMaxMs: config.DESIRED_RETRY_MAX_MS,
    });
    const streamer = new LogStreamer({
      node,
      runtime: host.runtime,
      containerOf: (uid) => this.reconciler.logsContainer(uid),
      publish: (reply, chunk) => publishChunk(nats, reply, chunk),
      requesterListening: (reply) => requesterListening(nats, reply),
      followTimeoutMs: config.LOGS_FOLLOW_TIMEOUT_MS,
      listenerCheckMs: config.LOGS_FOLLOW_CHECK_MS,
    });
    this.logs = new LogsHandler(nats, node, streamer);
    this.stats = new StatsCollector(node, host.runtime, this.reconciler);
  }

  get name(): string {
    return this.host.name;
  }

  async start(): Promise<void> {
    const facts = await this.describe();
    if (!facts || this.stopped) return;
    const { config } = this.ctx;
    if (facts.clusterAddress) this.services?.setClusterAddress(facts.clusterAddress);
    this.registration = new NodeRegistration(
      {
        node: this.name,
        address: this.host.address,
        labels: config.NODE_LABELS,
        taints: config.NODE_TAINTS,
        reserved: { cpuMilli: config.RESERVED_CPU_MILLI, memoryBytes: config.RESERVED_MEMORY_BYTES },
      },
      facts,
      this.bootId,
    );
    this.host.start?.().catch((error: unknown) => this.logger.warn({ msg: 'runtime upkeep failed to start', node: this.name, error: String(error) }));
    this.removeMetrics = this.ctx.metrics.addSource({ containersByState: () => this.reconciler.containersByState(), outboxDepth: () => this.outbox.depth });
    await this.outbox.open();
    this.heartbeat();
    this.logs.start();
    // The inventory (adoption) is taken in the background; passes wait for it, the desired feed need not.
    this.reconciler.start().catch((error: unknown) => this.logger.error({ msg: 'reconciler failed to start', node: this.name, error: String(error) }));
    this.desired.start();
    this.servicesFeed?.start();
    this.logger.log({ msg: 'node agent started', node: this.name, address: this.host.address, clusterAddress: facts.clusterAddress, cpuMilli: facts.cpuMilli, memoryBytes: facts.memoryBytes });
  }

  heartbeat(): void {
    if (!this.registration || this.stopped || !this.ctx.connection.connected) return;
    const heartbeat = this.registration.heartbeat(this.reconciler.runningReplicas().length);
    try {
      this.ctx.nats.publish(Subjects.nodeHeartbeat(this.name), JSON.stringify(heartbeat));
      this.ctx.metrics.heartbeats.inc();
    } catch (error) {
      this.logger.warn({ msg: 'heartbeat not sent', node: this.name, error: String(error) });
    }
  }

  async publishStats(): Promise<void> {
    if (!this.registration || this.stopped || !this.ctx.connection.connected) return;
    const stats = await this.stats.collect();
    if (!stats || this.stopped || this.ctx.nats.isClosed()) return;
    const services = this.services?.serviceStats() ?? [];
    this.ctx.nats.publish(Subjects.nodeStats(this.name), JSON.stringify({ ...stats, services }));
  }

  /** NATS is back: ask for the full desired state again, resend reports now, say we are alive. */
  reconnected(): void {
    this.outbox.kick();
    this.desired.fetch();
    this.servicesFeed?.fetch();
    this.heartbeat();
  }

  /** Leaves containers running (the next agent adopts them); unacked reports stay on disk. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.desired.stop();
    this.servicesFeed?.stop();
    this.logs.stop();
    this.reconciler.stop();
    this.removeMetrics?.();
    await this.outbox.close();
    await this.services?.close(this.ctx.config.SERVICE_DRAIN_TIMEOUT_MS);
    await this.host.close?.().catch((error: unknown) => this.logger.warn({ msg: 'runtime upkeep failed to stop', node: this.name, error: String(error) }));
  }

  /** Capacity and engine facts; retried while the engine does not answer. */
  private async describe(): Promise<NodeFacts | undefined> {
    const backoff = new ExponentialBackoff({ initialMs: 200, maxMs: 5_000, jitter: 0.2 });
    while (!this.stopped) {
      try {
        return await this.host.describe();
      } catch (error) {
        const delay = backoff.next();
        this.logger.warn({ msg: 'cannot read node facts from the runtime; retrying', node: this.name, error: String(error), retryInMs: delay });
        await new Promise((resolve) => this.ctx.timers.schedule(delay, () => resolve(undefined)));
      }
    }
    return undefined;
  }
}
