import { Logger } from '@nestjs/common';
import { EventStore } from '@berth/event-store';

/** The single-writer right of the controllers: only the holder appends. */
export interface Lease {
  readonly isHeld: boolean;
  onChange(listener: (held: boolean) => void): void;
  start(): void;
  stop(): Promise<void>;
}

/** The part of a pooled pg client the lease uses. */
interface LeaseConnection {
  query(text: string, values?: unknown[]): Promise<{ rows: { ok?: boolean }[] }>;
  release(destroy?: boolean): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
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
 * A session-level Postgres advisory lock held on a connection of its own (as the event relay does):
 * the lock lives exactly as long as that connection, so a crashed or partitioned holder loses it.
 */
export class AdvisoryLockLease implements Lease {
  private readonly logger = new Logger(AdvisoryLockLease.name);
  private readonly listeners: ((held: boolean) => void)[] = [];
  private connection: LeaseConnection | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private sleeper: { timer: NodeJS.Timeout; resolve: () => void } | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly options: AdvisoryLockLeaseOptions,
  ) {}

  get isHeld(): boolean {
    return this.connection !== null;
  }

  onChange(listener: (held: boolean) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sleeper) {
      clearTimeout(this.sleeper.timer);
      this.sleeper.resolve();
    }
    await this.loop;
    this.drop(false);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.connection) await this.check();
      else await this.acquire();
      if (!this.stopped) await this.sleep(this.connection ? this.options.checkMs : this.options.retryMs);
    }
  }

  private async acquire(): Promise<void> {
    let connection: LeaseConnection | null = null;
    try {
      connection = await this.store.pool.connect();
      const client = connection;
      client.on('error', (error) => {
        this.logger.warn({ msg: 'lease connection failed', error: String(error) });
        if (this.connection === client) this.drop(true);
      });
      const result = await client.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [this.options.name]);
      if (result.rows[0]?.ok !== true || this.stopped) {
        client.release(true);
        return;
      }
      this.connection = client;
      this.logger.log({ msg: 'scheduler lease acquired', lease: this.options.name });
      this.notify(true);
    } catch (error) {
      this.logger.warn({ msg: 'could not try the scheduler lease', error: String(error) });
      connection?.release(true);
    }
  }

  private async check(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    try {
      await connection.query('SELECT 1');
    } catch (error) {
      this.logger.warn({ msg: 'scheduler lease lost', error: String(error) });
      if (this.connection === connection) this.drop(true);
    }
  }

  private drop(notify: boolean): void {
    const connection = this.connection;
    this.connection = null;
    // Destroying the session is what releases a session-level advisory lock.
    connection?.release(true);
    if (connection && notify) this.notify(false);
  }

  private notify(held: boolean): void {
    for (const listener of this.listeners) listener(held);
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
