import { Logger } from '@nestjs/common';
import type { Readable } from 'node:stream';
import type { LogLine, ContainerRuntime } from '@berth/docker-runtime';
import type { LogsChunk, LogsRequest } from '@berth/contracts';
import { LineBatcher } from './line-batcher';

export interface LogStreamerOptions {
  node: string;
  runtime: ContainerRuntime;
  /** The container whose logs a replica shows (running, else its last). */
  containerOf: (replicaUid: string) => string | undefined;
  /** Publishes one chunk to the requester's reply subject. */
  publish: (reply: string, chunk: LogsChunk) => void;
  /** Whether the requester still listens on its reply subject (follow mode only). */
  requesterListening: (reply: string) => Promise<boolean>;
  followTimeoutMs: number;
  /** How often a follow checks its requester is still there. Default 5 s. */
  listenerCheckMs?: number;
  /** Idle time after which buffered lines of a follow go out. Default 100 ms. */
  flushMs?: number;
}

const MAX_CHUNK_LINES = 500;
const MAX_CHUNK_BYTES = 64 * 1024;
const NON_FOLLOW_TIMEOUT_MS = 60_000;

/** Answers a LogsRequest with LogsChunk messages: bounded by limitBytes, a follow until the requester leaves or time runs out. */
export class LogStreamer {
  private readonly logger = new Logger(LogStreamer.name);
  private readonly open = new Set<Readable>();

  constructor(private readonly options: LogStreamerOptions) {}

  /** Ends every stream (agent shutdown). */
  closeAll(): void {
    for (const stream of this.open) stream.destroy();
    this.open.clear();
  }

  async stream(request: LogsRequest, reply: string): Promise<void> {
    const { publish } = this.options;
    const containerId = this.options.containerOf(request.replicaUid);
    if (!containerId) {
      publish(reply, { lines: [], done: true, error: `replica ${request.replicaUid} has no container on node ${this.options.node}` });
      return;
    }
    let stream: Readable;
    try {
      stream = await this.options.runtime.logs(containerId, { tailLines: request.tailLines, follow: request.follow, sinceSeconds: request.sinceSeconds, limitBytes: request.limitBytes });
    } catch (error) {
      publish(reply, { lines: [], done: true, error: error instanceof Error ? error.message : String(error) });
      return;
    }
    this.open.add(stream);
    const batcher = new LineBatcher(MAX_CHUNK_LINES, MAX_CHUNK_BYTES);
    let bytes = 0;
    let ending: string | undefined;
    const timers: NodeJS.Timeout[] = [];
    const end = (why?: string) => {
      ending ??= why ?? '';
      stream.destroy();
    };
    timers.push(setTimeout(() => end(request.follow ? undefined : 'timed out'), request.follow ? this.options.followTimeoutMs : NON_FOLLOW_TIMEOUT_MS));
    if (request.follow) {
      timers.push(
        setInterval(() => {
          if (batcher.pending) publish(reply, { lines: batcher.drain(), done: false });
        }, this.options.flushMs ?? 100),
      );
      timers.push(
        setInterval(() => {
          this.options
            .requesterListening(reply)
            .then((listening) => listening || end())
            .catch(() => undefined);
        }, this.options.listenerCheckMs ?? 5_000),
      );
    }
    try {
      for await (const entry of stream as AsyncIterable<LogLine>) {
        bytes += Buffer.byteLength(entry.line) + 1;
        if (bytes > request.limitBytes) break;
        const full = batcher.add(entry.line);
        if (full) publish(reply, { lines: full, done: false });
      }
    } catch (error) {
      if (ending === undefined) {
        ending = error instanceof Error ? error.message : String(error);
        this.logger.warn({ msg: 'log stream failed', node: this.options.node, replica: request.replicaUid, error: ending });
      }
    } finally {
      timers.forEach((timer) => clearTimeout(timer));
      this.open.delete(stream);
      stream.destroy();
    }
    publish(reply, { lines: batcher.drain(), done: true, ...(ending ? { error: ending } : {}) });
  }
}
