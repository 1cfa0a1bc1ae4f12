import { Logger } from '@nestjs/common';
import { AdvisoryLease } from './advisory-lease';
import type { EventStore } from './event-store';

/** A single-writer right: only the holder acts (controllers, the autoscaler, ...). */
export interface Lease {
  readonly isHeld: boolean;
  onChange(listener: (held: boolean) => void): void;
  start(): void;
  stop(): Promise<void>;
}

export interface LeaderLeaseOptions {
  /** Who holds it, for logs and the connection's application_name (`scheduler`, `autoscaler`). */
  readonly owner: string;
  /** Lock name; hashed to the advisory lock key. */
  readonly name: string;
  /** Wait between attempts while another copy holds the lease. */
  readonly retryMs: number;
  /** How often the holder checks its connection is still alive (a dead one has lost the lock). */
  readonly checkMs: number;
}

/**
 * A leader lease: the shared AdvisoryLease (a session advisory lock on a connection of its own)
 * plus the retry loop and change notifications a controller needs.
 */
export class LeaderLease implements Lease {
  private readonly logger = new Logger(LeaderLease.name);
  private readonly listeners: ((held: boolean) => void)[] = [];
  private readonly lease: AdvisoryLease;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private sleeper: { timer: NodeJS.Timeout; resolve: () => void } | null = null;

  constructor(store: EventStore, private readonly options: LeaderLeaseOptions) {
    this.lease = new AdvisoryLease(store.pool.options.connectionString ?? '', options.name, {
      applicationName: `berth-${options.owner}-lease`,
      checkIntervalMs: options.checkMs,
      onLost: (error) => {
        this.logger.warn({ msg: 'lease lost', owner: this.options.owner, error: String(error) });
        this.notify(false);
        this.wake();
      },
    });
  }

  get isHeld(): boolean {
    return this.lease.held;
  }

  onChange(listener: (held: boolean) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
    await this.lease.release();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!this.lease.held) await this.acquire();
      if (!this.stopped) await this.sleep(this.lease.held ? this.options.checkMs : this.options.retryMs);
    }
  }

  private async acquire(): Promise<void> {
    try {
      if (!(await this.lease.tryAcquire())) return;
      if (this.stopped) return;
      this.logger.log({ msg: 'lease acquired', owner: this.options.owner, lease: this.options.name });
      this.notify(true);
    } catch (error) {
      this.logger.warn({ msg: 'could not try the lease', owner: this.options.owner, error: String(error) });
    }
  }

  private notify(held: boolean): void {
    for (const listener of this.listeners) listener(held);
  }

  private wake(): void {
    if (this.sleeper) {
      clearTimeout(this.sleeper.timer);
      this.sleeper.resolve();
      this.sleeper = null;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeper = null;
        resolve();
      }, ms);
      this.sleeper = { timer, resolve };
    });
  }
}

/**
 * Always held: for tests that run several controllers acting at once, to show that the log's
 * expected versions alone keep them from binding or creating twice.
 */
export class AlwaysHeldLease implements Lease {
  readonly isHeld = true;
  onChange(): void {
    // Never changes.
  }
  start(): void {
    // Nothing to acquire.
  }
  async stop(): Promise<void> {
    // Nothing to release.
  }
}
