import { Client } from 'pg';

export interface AdvisoryLeaseOptions {
  /** Called once when a held lease is lost (connection dropped or failed its check). */
  onLost?: (error: unknown) => void;
  /** How often the lease connection is checked while held (default 2 s). */
  checkIntervalMs?: number;
  applicationName?: string;
}

/**
 * A single-writer lease: a session-level Postgres advisory lock held on a connection of its
 * own. The lock lives exactly as long as that connection, so a crashed or partitioned holder
 * loses it and another copy can take over; `release()` gives it up at once on shutdown.
 */
export class AdvisoryLease {
  private client: Client | null = null;
  private check: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    readonly key: string,
    private readonly options: AdvisoryLeaseOptions = {},
  ) {}

  get held(): boolean {
    return this.client !== null;
  }

  /** Takes the lease if it is free; true when this copy holds it (now or already). */
  async tryAcquire(): Promise<boolean> {
    if (this.client) return true;
    const client = new Client({ connectionString: this.url, application_name: this.options.applicationName ?? 'berth-lease', keepAlive: true });
    client.on('error', (error) => this.lose(client, error));
    client.on('end', () => this.lose(client, new Error('lease connection ended')));
    try {
      await client.connect();
      const result = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [this.key]);
      if (!result.rows[0]?.ok) {
        await client.end().catch(() => undefined);
        return false;
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    this.check = setInterval(() => {
      client.query('SELECT 1').catch((error: unknown) => this.lose(client, error));
    }, this.options.checkIntervalMs ?? 2_000);
    this.check.unref();
    return true;
  }

  /** Gives the lease up (closing the connection releases the lock). */
  async release(): Promise<void> {
    const client = this.client;
    this.stopChecking();
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  private lose(client: Client, error: unknown): void {
    if (this.client !== client) return;
    this.stopChecking();
    this.client = null;
    client.end().catch(() => undefined);
    this.options.onLost?.(error);
  }

  private stopChecking(): void {
    if (this.check) clearInterval(this.check);
    this.check = null;
  }
}
