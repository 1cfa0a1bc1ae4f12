import { Logger } from '@nestjs/common';
import type { Msg, NatsConnection, NatsError, Subscription } from 'nats';
import { nodeServicesSchema, parseMessage, Subjects, type NodeServices, type NodeServicesRequest } from '@berth/contracts';
import { ExponentialBackoff } from '../shared/backoff';
import type { CancelTimer, TimerQueue } from '../shared/timer-queue';

export interface NodeServicesFeedOptions {
  node: string;
  bootId: string;
  timers: TimerQueue;
  requestTimeoutMs: number;
  retryMaxMs: number;
}

/**
 * The level-triggered services feed: the full set by request (at start and after every reconnect,
 * retried with backoff), then the full sets on berth.node.<node>.services.update. Sets older than
 * the last one applied are dropped.
 */
export class NodeServicesFeed {
  private readonly logger = new Logger(NodeServicesFeed.name);
  private readonly backoff: ExponentialBackoff;
  private subscription?: Subscription;
  private fetching = false;
  private cancelRetry?: CancelTimer;
  private stopped = false;
  private position = -1;

  constructor(
    private readonly nats: NatsConnection,
    private readonly apply: (set: NodeServices) => void,
    private readonly options: NodeServicesFeedOptions,
  ) {
    this.backoff = new ExponentialBackoff({ initialMs: 100, maxMs: options.retryMaxMs, jitter: 0.3 });
  }

  start(): void {
    const subject = Subjects.nodeServicesUpdate(this.options.node);
    this.subscription = this.nats.subscribe(subject, { callback: (error, msg) => this.onUpdate(subject, error, msg) });
    this.fetch();
  }

  stop(): void {
    this.stopped = true;
    this.cancelRetry?.();
    this.subscription?.unsubscribe();
  }

  fetch(): void {
    if (this.stopped) return;
    if (this.cancelRetry) {
      this.cancelRetry();
      this.cancelRetry = undefined;
      this.backoff.reset();
    }
    if (this.fetching) return;
    this.fetching = true;
    void this.request().finally(() => (this.fetching = false));
  }

  /** Applies the set unless it is older than the last one; true when applied. */
  offer(set: NodeServices): boolean {
    if (set.node !== this.options.node || set.position < this.position) return false;
    this.position = set.position;
    this.apply(set);
    return true;
  }

  private async request(): Promise<void> {
    const subject = Subjects.nodeServices(this.options.node);
    const body: NodeServicesRequest = { node: this.options.node, bootId: this.options.bootId };
    try {
      const reply = await this.nats.request(subject, JSON.stringify(body), { timeout: this.options.requestTimeoutMs });
      this.offer(parseMessage(nodeServicesSchema, subject, reply.data));
      this.backoff.reset();
    } catch (error) {
      if (this.stopped) return;
      const delay = this.backoff.next();
      const log = this.backoff.attempts === 1 ? 'warn' : 'debug';
      this.logger[log]({ msg: 'services request failed; retrying', node: this.options.node, error: (error as NatsError).message ?? String(error), retryInMs: delay });
      this.cancelRetry = this.options.timers.schedule(delay, () => {
        this.cancelRetry = undefined;
        this.fetch();
      });
    }
  }

  private onUpdate(subject: string, error: NatsError | null, msg: Msg): void {
    if (error) return void this.logger.warn({ msg: 'services subscription error', node: this.options.node, error: error.message });
    try {
      this.offer(parseMessage(nodeServicesSchema, subject, msg.data));
    } catch (invalid) {
      this.logger.warn({ msg: 'invalid services update ignored', node: this.options.node, error: String(invalid) });
    }
  }
}
