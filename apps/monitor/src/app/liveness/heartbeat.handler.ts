import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { NatsConnection, Subscription } from 'nats';
import { nodeHeartbeatSchema, Subjects } from '@berth/contracts';
import { NATS_CONNECTION } from '@berth/messaging';
import { subscribeParsed } from '../nats/nats-messages';
import { MonitorMetrics } from '../observability/monitor-metrics';
import { LivenessService } from './liveness.service';

/** Heartbeats of every node. No queue group: every copy hears them all, the lease holder judges. */
@Injectable()
export class HeartbeatHandler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HeartbeatHandler.name);
  private subscription: Subscription | null = null;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    private readonly liveness: LivenessService,
    private readonly metrics: MonitorMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = subscribeParsed(this.nats, {
      subject: Subjects.anyNodeHeartbeat,
      schema: nodeHeartbeatSchema,
      logger: this.logger,
      onInvalid: () => this.metrics.invalidMessages.inc({ kind: 'heartbeat' }),
      handle: (heartbeat, msg) => this.liveness.onHeartbeat(heartbeat, msg.subject),
    });
  }

  beforeApplicationShutdown(): void {
    if (!this.nats.isClosed()) this.subscription?.unsubscribe();
  }
}
