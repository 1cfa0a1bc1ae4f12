import { RecordedEvent } from '@berth/contracts';
import type { EventStore } from './event-store';
import { LogNotifier } from './log-notifier';

export interface SubscribeOptions {
  batchSize?: number;
  /** Re-read after this long without a notification (one can be lost across a reconnect). */
  idlePollMs?: number;
  /** Connection string for LISTEN; without it the subscription polls every idlePollMs. */
  listenUrl?: string;
  onError?: (error: unknown) => void;
}

export type EventHandler = (event: RecordedEvent) => Promise<void> | void;

/**
 * Catch up from Postgres after a position, then follow new events live. Events reach the
 * handler one at a time, in global order, each exactly once; a throwing handler stops
 * the subscription at that event, so a restart from `lastPosition` resumes there.
 */
export class Subscription {
  private position: number;
  private stopped = false;
  private failure: unknown = null;
  private readonly notifier: LogNotifier | null;
  private readonly done: Promise<void>;

  constructor(
    private readonly store: EventStore,
    after: number,
    private readonly handler: EventHandler,
    private readonly options: SubscribeOptions = {},
  ) {
    this.position = after;
    this.notifier = options.listenUrl ? new LogNotifier(options.listenUrl, store.notifyChannel, options.onError) : null;
    this.done = this.run();
  }

  /** Position of the last event handled. */
  get lastPosition(): number {
    return this.position;
  }

  /** Resolves when the subscription stops; rejects with the handler's error if it failed. */
  async finished(): Promise<void> {
    await this.done;
    if (this.failure) throw this.failure;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.notifier?.wakeAll();
    await this.done;
  }

  /** Resolves once every event up to `position` has been handled. */
  async waitFor(position: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.position < position) {
      if (this.failure) throw this.failure;
      if (this.stopped) throw new Error('subscription stopped');
      if (Date.now() > deadline) throw new Error(`subscription at ${this.position}, not ${position}, after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 1_000;
    await this.notifier?.start();
    try {
      while (!this.stopped) {
        const events = await this.store.readAll(this.position, batchSize);
        for (const event of events) {
          if (this.stopped) return;
          await this.handler(event);
          this.position = event.globalPosition;
        }
        if (events.length < batchSize && !this.stopped) await this.idle();
      }
    } catch (error) {
      this.failure = error;
      this.options.onError?.(error);
    } finally {
      await this.notifier?.close();
    }
  }

  private async idle(): Promise<void> {
    const timeout = this.options.idlePollMs ?? (this.notifier ? 1_000 : 100);
    if (this.notifier) await this.notifier.wait(timeout);
    else await new Promise((resolve) => setTimeout(resolve, timeout));
  }
}
