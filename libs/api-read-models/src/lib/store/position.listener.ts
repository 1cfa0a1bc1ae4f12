import { Client } from 'pg';

/**
 * LISTEN on the log's channel, reporting the position each append notifies (the append
 * function sends its last position as payload). A notification can be lost while
 * reconnecting, so users also poll now and then.
 */
export class PositionListener {
  private client: Client | null = null;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onPosition: (position: number) => void,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.url, application_name: 'berth-api-read-models' });
    client.on('notification', (message) => {
      const position = Number(message.payload);
      this.onPosition(Number.isFinite(position) ? position : Number.MAX_SAFE_INTEGER);
    });
    client.on('error', (error) => {
      this.onError(error);
      if (this.client === client) this.client = null;
      this.scheduleReconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel.replace(/"/g, '""')}"`);
      this.client = client;
      // Whatever was appended while we were not listening must be read now.
      this.onPosition(Number.MAX_SAFE_INTEGER);
    } catch (error) {
      this.onError(error);
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
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
