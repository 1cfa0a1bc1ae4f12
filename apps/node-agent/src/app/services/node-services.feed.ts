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

interface PositionWaiter {
  position: number;
  done(reached: boolean): void;
}

/**
 * The level-triggered services feed: the full set by request (at start and after every reconnect,
 * retried with backoff), then the full sets on berth.node.<node>.services.update. Sets older than
 * the last one applied are dropped. `atLeast` asks for a fresh set when a caller needs one as new
 * as a log position (a container's service variables must include every service that existed when
 * its replica was scheduled).
 */
export class NodeServicesFeed {
  private readonly logger = new Logger(NodeServicesFeed.name);
  private readonly backoff: ExponentialBackoff;
  private subscription?: Subscription;
  private fetching = false;
  private cancelRetry?: CancelTimer;
  private stopped = false;
  private position = -1;
  /** Positions the control plane could not confirm (request failed or timed out): not waited for again. */
  private gaveUpAt = -1;
  private readonly waiters = new Set<PositionWaiter>();

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
    this.settle(false);
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
    for (const waiter of [...this.waiters]) {
      if (waiter.position > this.position) continue;
      this.waiters.delete(waiter);
      waiter.done(true);
    }
    return true;
  }

  /**
   * Resolves true once a set at `position` or newer is applied: at once when it is, else after asking
   * for the current set. Resolves false when the control plane does not answer (within timeoutMs);
   * that position, and older ones, are then not waited for again.
   */
  atLeast(position: number, timeoutMs: number): Promise<boolean> {
    if (this.position >= position) return Promise.resolve(true);
    if (this.stopped || position <= this.gaveUpAt || timeoutMs <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter: PositionWaiter = {
        position,
        done: (reached) => {
          cancel();
          if (!reached) this.gaveUpAt = Math.max(this.gaveUpAt, waiter.position);
          resolve(reached);
        },
      };
      const cancel = this.options.timers.schedule(timeoutMs, () => {
        if (this.waiters.delete(waiter)) waiter.done(false);
      });
      this.waiters.add(waiter);
      this.fetch();
    });
  }

  private async request(): Promise<void> {
    const subject = Subjects.nodeServices(this.options.node);
    const body: NodeServicesRequest = { node: this.options.node, bootId: this.options.bootId };
    try {
      const reply = await this.nats.request(subject, JSON.stringify(body), { timeout: this.options.requestTimeoutMs });
      this.offer(parseMessage(nodeServicesSchema, subject, reply.data));
      this.backoff.reset();
      // Answered by a copy that lags the one that sent the desired set: those waiting ask again.
      if (this.waiters.size > 0 && !this.stopped) this.options.timers.schedule(20, () => this.fetch());
    } catch (error) {
      if (this.stopped) return;
      this.settle(false);
      const delay = this.backoff.next();
      const log = this.backoff.attempts === 1 ? 'warn' : 'debug';
      this.logger[log]({ msg: 'services request failed; retrying', node: this.options.node, error: (error as NatsError).message ?? String(error), retryInMs: delay });
      this.cancelRetry = this.options.timers.schedule(delay, () => {
        this.cancelRetry = undefined;
        this.fetch();
      });
    }
  }

  private settle(reached: boolean): void {
    for (const waiter of [...this.waiters]) {
      this.waiters.delete(waiter);
      waiter.done(reached);
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
