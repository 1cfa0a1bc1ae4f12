import { Logger } from '@nestjs/common';
import type { Msg, NatsConnection, NatsError, Subscription } from 'nats';
import { desiredStateSchema, parseMessage, Subjects, type DesiredState, type DesiredStateRequest } from '@berth/contracts';
import { ExponentialBackoff } from '../shared/backoff';
import type { CancelTimer, TimerQueue } from '../shared/timer-queue';

export interface DesiredStateTarget {
  applyDesired(state: DesiredState): boolean;
}

export interface DesiredStateHandlerOptions {
  node: string;
  bootId: string;
  timers: TimerQueue;
  requestTimeoutMs: number;
  retryMaxMs: number;
}

/**
 * The level-triggered feed of a node's desired replicas: the full set by request (at start and
 * after every reconnect, retried with backoff until someone answers), then the full sets published
 * on berth.node.<node>.desired.update.
 */
export class DesiredStateHandler {
  private readonly logger = new Logger(DesiredStateHandler.name);
  private readonly backoff: ExponentialBackoff;
  private subscription?: Subscription;
  private fetching = false;
  private cancelRetry?: CancelTimer;
  private stopped = false;

  constructor(
    private readonly nats: NatsConnection,
    private readonly target: DesiredStateTarget,
    private readonly options: DesiredStateHandlerOptions,
  ) {
    this.backoff = new ExponentialBackoff({ initialMs: 100, maxMs: options.retryMaxMs, jitter: 0.3 });
  }

  /** Subscribes to updates first, so none is missed while the full set is on its way. */
  start(): void {
    const subject = Subjects.nodeDesiredUpdate(this.options.node);
    this.subscription = this.nats.subscribe(subject, { callback: (error, msg) => this.onUpdate(subject, error, msg) });
    this.fetch();
  }

  stop(): void {
    this.stopped = true;
    this.cancelRetry?.();
    this.subscription?.unsubscribe();
  }

  /** Asks for the full set now (after a reconnect), unless a request is already out. */
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

  private async request(): Promise<void> {
    const subject = Subjects.nodeDesired(this.options.node);
    const body: DesiredStateRequest = { node: this.options.node, bootId: this.options.bootId };
    try {
      const reply = await this.nats.request(subject, JSON.stringify(body), { timeout: this.options.requestTimeoutMs });
      this.apply(parseMessage(desiredStateSchema, subject, reply.data), 'request');
      this.backoff.reset();
    } catch (error) {
      if (this.stopped) return;
      const delay = this.backoff.next();
      // No control plane yet is normal at start: say so once, then quietly keep asking.
      const log = this.backoff.attempts === 1 ? 'warn' : 'debug';
      this.logger[log]({ msg: 'desired state request failed; retrying', node: this.options.node, error: (error as NatsError).message ?? String(error), retryInMs: delay });
      this.cancelRetry = this.options.timers.schedule(delay, () => {
        this.cancelRetry = undefined;
        this.fetch();
      });
    }
  }

  private onUpdate(subject: string, error: NatsError | null, msg: Msg): void {
    if (error) return void this.logger.warn({ msg: 'desired update subscription error', node: this.options.node, error: error.message });
    try {
      this.apply(parseMessage(desiredStateSchema, subject, msg.data), 'update');
    } catch (invalid) {
      this.logger.warn({ msg: 'invalid desired state update ignored', node: this.options.node, error: String(invalid) });
    }
  }

  private apply(state: DesiredState, source: 'request' | 'update'): void {
    if (state.node !== this.options.node) {
      this.logger.warn({ msg: 'desired state for another node ignored', node: this.options.node, for: state.node });
      return;
    }
    const applied = this.target.applyDesired(state);
    this.logger.debug({ msg: applied ? 'desired state applied' : 'older desired state ignored', node: this.options.node, source, position: state.position, replicas: state.replicas.length });
  }
}
