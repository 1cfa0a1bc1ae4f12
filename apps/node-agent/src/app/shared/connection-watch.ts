import { Logger } from '@nestjs/common';
import { Events, type NatsConnection } from 'nats';

/**
 * One watcher of the NATS connection for every node agent in the process: who is connected, and
 * a callback on each reconnect (level-triggered agents ask for their full desired state again).
 */
export class ConnectionWatch {
  private readonly logger = new Logger(ConnectionWatch.name);
  private readonly reconnectListeners = new Set<() => void>();
  private up = true;
  private stopped = false;

  constructor(private readonly nats: NatsConnection) {}

  get connected(): boolean {
    return this.up && !this.nats.isClosed();
  }

  start(): void {
    this.follow().catch((error: unknown) => this.logger.error({ msg: 'connection status stream failed', error: String(error) }));
  }

  private async follow(): Promise<void> {
    for await (const status of this.nats.status()) {
      if (this.stopped) break;
      if (status.type === Events.Disconnect) this.up = false;
      else if (status.type === Events.Reconnect) {
        this.up = true;
        for (const listener of this.reconnectListeners) {
          try {
            listener();
          } catch (error) {
            this.logger.error({ msg: 'reconnect listener failed', error: String(error) });
          }
        }
      }
    }
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  stop(): void {
    this.stopped = true;
    this.reconnectListeners.clear();
  }
}
