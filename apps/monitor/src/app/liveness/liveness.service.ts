import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { NodeHeartbeat, streamIds } from '@berth/contracts';
import { EventStore, WrongExpectedVersion } from '@berth/event-store';
import { NATS_CONNECTION } from '@berth/messaging';
import { AdvisoryLease, LeaseFactory, NodesReadModel, NodeView, ReadModelsService } from '@berth/read-models';
import { MONITOR_CONFIG, MonitorConfig } from '../app.config';
import { assertSameNode } from '../nats/nats-messages';
import { MonitorMetrics } from '../observability/monitor-metrics';
import { KnownNode, LivenessDecision, LivenessTracker } from './liveness.tracker';

function knownNode(view: NodeView): KnownNode {
  return {
    name: view.name,
    streamVersion: view.streamVersion,
    condition: view.condition,
    registration: {
      address: view.address,
      bootId: view.bootId ?? undefined,
      labels: view.labels,
      taints: view.taints,
      capacity: view.capacity,
      allocatable: view.allocatable,
      info: view.info,
    },
  };
}

/**
 * Node liveness, a single-writer duty: only the copy holding the lease judges nodes. It loads
 * the nodes from the read model when it takes the lease, feeds heartbeats and ticks to the
 * LivenessTracker, and appends the tracker's decisions with the node stream's expected version,
 * so even two copies that both believe they lead can never both write a transition.
 */
@Injectable()
export class LivenessService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(LivenessService.name);
  readonly tracker: LivenessTracker;
  private readonly lease: AdvisoryLease;
  private leader = false;
  private stopped = false;
  private ticker: NodeJS.Timeout | null = null;
  private leaseLoop: Promise<void> | null = null;
  private wakeLeaseLoop: (() => void) | null = null;
  private stallsSeen = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @Inject(MONITOR_CONFIG) private readonly config: MonitorConfig,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    private readonly store: EventStore,
    private readonly nodes: NodesReadModel,
    private readonly readModels: ReadModelsService,
    private readonly metrics: MonitorMetrics,
    leases: LeaseFactory,
  ) {
    this.tracker = new LivenessTracker({
      notReadyAfterMs: config.NOT_READY_AFTER_MS,
      lostAfterMs: config.LOST_AFTER_MS,
      tickIntervalMs: config.LIVENESS_TICK_MS,
      lagToleranceMs: config.LOOP_LAG_TOLERANCE_MS,
    });
    this.lease = leases.create('monitor-liveness', { onLost: (error) => this.leaseLost(error) });
    this.metrics.leader.set(0);
  }

  get isLeader(): boolean {
    return this.leader;
  }

  onApplicationBootstrap(): void {
    this.leaseLoop = this.runLeaseLoop();
    this.watchConnection().catch((error: unknown) => this.logger.warn({ msg: 'NATS status watch ended', error: String(error) }));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wakeLeaseLoop?.();
    await this.leaseLoop;
    this.stepDown();
    await Promise.allSettled([...this.inFlight]);
    await this.lease.release();
  }

  onHeartbeat(heartbeat: NodeHeartbeat, subject: string): void {
    assertSameNode(subject, heartbeat.node);
    this.metrics.heartbeatLag.observe(Math.max(0, Date.now() - heartbeat.sentAt) / 1_000);
    if (!this.leader) return;
    const decision = this.tracker.heartbeat(heartbeat);
    if (decision) this.execute(decision);
  }

  private async runLeaseLoop(): Promise<void> {
    while (!this.stopped) {
      if (!this.leader) {
        try {
          if (await this.lease.tryAcquire()) await this.takeOver();
        } catch (error) {
          this.logger.warn({ msg: 'could not take the liveness lease', error: String(error) });
          await this.lease.release();
        }
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.config.LEASE_RETRY_MS);
        this.wakeLeaseLoop = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Loads what the log says about every node and starts judging, with a fresh grace period for all. */
  private async takeOver(): Promise<void> {
    await this.readModels.catchUp();
    const known = (await this.nodes.list()).map(knownNode);
    if (this.stopped || !this.lease.held) return;
    this.tracker.load(known);
    this.leader = true;
    this.metrics.leader.set(1);
    this.stallsSeen = 0;
    this.ticker = setInterval(() => this.tick(), this.config.LIVENESS_TICK_MS);
    this.logger.log({ msg: 'liveness lease taken: judging nodes', nodes: known.length });
  }

  private leaseLost(error: unknown): void {
    this.logger.warn({ msg: 'liveness lease lost: no longer judging nodes', error: String(error) });
    this.stepDown();
  }

  private stepDown(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.tracker.stop();
    this.leader = false;
    this.metrics.leader.set(0);
  }

  private tick(): void {
    for (const decision of this.tracker.tick()) this.execute(decision);
    if (this.tracker.stalls > this.stallsSeen) {
      this.metrics.loopStalls.inc(this.tracker.stalls - this.stallsSeen);
      this.logger.warn({ msg: 'event loop stalled: liveness deadlines extended', stalls: this.tracker.stalls });
      this.stallsSeen = this.tracker.stalls;
    }
  }

  /** While our NATS connection is down we hear nobody: blame nobody for it. */
  private async watchConnection(): Promise<void> {
    for await (const status of this.nats.status()) {
      if (status.type === 'disconnect') {
        this.tracker.suspend();
        this.logger.warn({ msg: 'NATS disconnected: liveness judgement suspended' });
      } else if (status.type === 'reconnect') {
        this.tracker.resume();
        this.logger.log({ msg: 'NATS reconnected: every node gets a fresh grace period' });
      }
    }
  }

  private execute(decision: LivenessDecision): void {
    const work = this.append(decision).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  private async append(decision: LivenessDecision): Promise<void> {
    const stream = streamIds.node(decision.node);
    const expected = decision.expectedVersion < 0 ? 'no_stream' : decision.expectedVersion;
    try {
      const result = await this.store.append(
        stream,
        expected,
        decision.events.map((event) => ({ type: event.type, data: event.data, metadata: { actor: 'monitor' } })),
      );
      this.tracker.settle(decision, { kind: 'appended', streamVersion: result.events[result.events.length - 1].streamVersion });
      for (const event of decision.events) this.metrics.transitions.inc({ type: event.type });
      this.logger.log({ msg: 'node transition', node: decision.node, events: decision.events.map((e) => e.type), silenceMs: Math.round(decision.silenceMs) });
    } catch (error) {
      if (error instanceof WrongExpectedVersion) {
        // Someone else wrote to the stream (a cordon, or another copy): fold it and judge again.
        try {
          const newerEvents = await this.store.readStream(stream, decision.expectedVersion + 1);
          this.tracker.settle(decision, { kind: 'conflict', newerEvents });
          this.logger.log({ msg: 'node stream moved on, re-judging', node: decision.node, expected: decision.expectedVersion, actual: error.actual });
        } catch (readError) {
          this.tracker.settle(decision, { kind: 'failed' });
          this.logger.warn({ msg: 'could not read node stream after a conflict', node: decision.node, error: String(readError) });
        }
        return;
      }
      this.tracker.settle(decision, { kind: 'failed' });
      this.logger.warn({ msg: 'node transition not appended, will retry', node: decision.node, error: String(error) });
    }
  }
}
