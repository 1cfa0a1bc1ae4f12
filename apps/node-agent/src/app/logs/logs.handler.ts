import { Logger } from '@nestjs/common';
import { ErrorCode, type Msg, type NatsConnection, type NatsError, type Subscription } from 'nats';
import { logsRequestSchema, parseMessage, Subjects, type LogsChunk } from '@berth/contracts';
import type { LogStreamer } from './log-streamer';

/** berth.node.<node>.logs: each LogsRequest is answered by a stream of LogsChunk on its reply subject. */
export class LogsHandler {
  private readonly logger = new Logger(LogsHandler.name);
  private subscription?: Subscription;

  constructor(
    private readonly nats: NatsConnection,
    private readonly node: string,
    private readonly streamer: LogStreamer,
  ) {}

  start(): void {
    const subject = Subjects.nodeLogs(this.node);
    this.subscription = this.nats.subscribe(subject, { callback: (error, msg) => this.onRequest(subject, error, msg) });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.streamer.closeAll();
  }

  private onRequest(subject: string, error: NatsError | null, msg: Msg): void {
    if (error || !msg.reply) return;
    const reply = msg.reply;
    try {
      const request = parseMessage(logsRequestSchema, subject, msg.data);
      this.streamer.stream(request, reply).catch((error: unknown) => this.logger.warn({ msg: 'logs stream failed', node: this.node, error: String(error) }));
    } catch (invalid) {
      this.logger.warn({ msg: 'invalid logs request', node: this.node, error: String(invalid) });
      publishChunk(this.nats, reply, { lines: [], done: true, error: String(invalid) });
    }
  }
}

/** Publishes one chunk; a connection closed under a running stream drops it (publish would throw). */
export function publishChunk(nats: NatsConnection, reply: string, chunk: LogsChunk): void {
  if (nats.isClosed()) return;
  nats.publish(reply, JSON.stringify(chunk));
}

/**
 * A request with an empty chunk to the requester's inbox: "no responders" means it unsubscribed
 * (it stopped following); a timeout or an answer means it still listens.
 */
export async function requesterListening(nats: NatsConnection, reply: string): Promise<boolean> {
  try {
    await nats.request(reply, JSON.stringify({ lines: [], done: false } satisfies LogsChunk), { timeout: 1_000 });
    return true;
  } catch (error) {
    return (error as NatsError).code !== ErrorCode.NoResponders;
  }
}
