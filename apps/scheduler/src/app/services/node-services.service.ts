import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { NATS_CONNECTION } from '@berth/messaging';
import { SCHEDULER_CONFIG, SchedulerConfig } from '../app.config';
import { SchedulerService } from '../runtime/scheduler.service';
import { NodeServicesHandler } from './node-services.handler';
import { NodeServicesPublisher } from './node-services.publisher';

/** How often a copy checks whether it has just become the lease holder (then it publishes every set). */
const LEADER_CHECK_MS = 500;

/** Services for the node-agents' proxies: answers requests once caught up, publishes updates as lease holder. */
@Injectable()
export class NodeServicesService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(NodeServicesService.name);
  private readonly handler: NodeServicesHandler;
  readonly publisher: NodeServicesPublisher;
  private leaderCheck: NodeJS.Timeout | null = null;
  private wasLeader = false;

  constructor(
    private readonly scheduler: SchedulerService,
    @Inject(NATS_CONNECTION) nats: NatsConnection,
    @Inject(SCHEDULER_CONFIG) config: SchedulerConfig,
  ) {
    const runtime = scheduler.runtime;
    this.handler = new NodeServicesHandler(nats, runtime.state);
    this.publisher = new NodeServicesPublisher(nats, runtime.state, () => runtime.isLeader, config.DESIRED_UPDATE_COALESCE_MS);
    runtime.follower.onChange((change) => this.publisher.onStateChange(change));
  }

  onApplicationBootstrap(): void {
    this.scheduler.runtime
      .start()
      .then(() => {
        // Only a caught-up copy may answer: a partial set would take endpoints out of rotation.
        this.handler.start();
        this.leaderCheck = setInterval(() => this.checkLeader(), LEADER_CHECK_MS);
        this.checkLeader();
      })
      .catch((error: unknown) => this.logger.error({ msg: 'services feed not started', error: String(error) }));
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.leaderCheck) clearInterval(this.leaderCheck);
    this.publisher.stop();
    await this.handler.stop();
  }

  private checkLeader(): void {
    const leader = this.scheduler.runtime.isLeader;
    if (leader && !this.wasLeader) this.publisher.schedule();
    this.wasLeader = leader;
  }
}
