import { Logger } from '@nestjs/common';
import { AdvisoryLease, EventStore } from '@berth/event-store';

/** The single-writer right of the autoscaler: only the holder evaluates and appends. */
export interface Lease {
  readonly isHeld: boolean;
  onChange(listener: (held: boolean) => void): void;
  start(): void;
  stop(): Promise<void>;
}

export interface AdvisoryLockLeaseOptions {
  /** Lock name; hashed to the advisory lock key. */
  readonly name: string;
  /** Wait between attempts while another copy holds the lease. */
  readonly retryMs: number;
  /** How often the holder checks its connection is still alive (a dead one has lost the lock). */
  readonly checkMs: number;
}

/**
 * The autoscaler's lease: the shared AdvisoryLease (a session advisory lock on a connection of
 * its own) plus the retry loop and change notifications the autoscaler needs.
 */
export class AdvisoryLockLease implements Lease {
  private readonly logger = new Logger(AdvisoryLockLease.name);
  private readonly listeners: ((held: boolean) => void)[] = [];
  private readonly lease: AdvisoryLease;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private sleeper: { timer: NodeJS.Timeout; resolve: () => void } | null = null;

  constructor(store: EventStore, private readonly options: AdvisoryLockLeaseOptions) {
    this.lease = new AdvisoryLease(store.pool.options.connectionString ?? '', options.name, {
      applicationName: 'berth-autoscaler-lease',
      checkIntervalMs: options.checkMs,
      onLost: (error) => {
        this.logger.warn({ msg: 'autoscaler lease lost', error: String(error) });
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
      this.logger.log({ msg: 'autoscaler lease acquired', lease: this.options.name });
      this.notify(true);
    } catch (error) {
      this.logger.warn({ msg: 'could not try the autoscaler lease', error: String(error) });
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

/** Always held: for tests of a single copy. */
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
