import { Client } from 'pg';

/**
 * Wakes waiters when the log grows (LISTEN on the schema's channel). A notification can be
 * lost while reconnecting, so waiters always pass a timeout and re-read on it.
 */
export class LogNotifier {
  private client: Client | null = null;
  private waiters = new Set<() => void>();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.url, application_name: 'berth-log-notifier' });
    client.on('notification', () => this.wakeAll());
    client.on('error', (error) => {
      this.onError(error);
      if (this.client === client) this.client = null;
      this.scheduleReconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      this.client = client;
      // Anything appended while we were not listening must be read now.
      this.wakeAll();
    } catch (error) {
      this.onError(error);
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
    }
  }

  /** Resolves on the next append, or after `timeoutMs`. */
  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  wakeAll(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.wakeAll();
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.start();
    }, 500);
  }
}
