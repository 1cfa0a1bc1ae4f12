import { Inject, Injectable, Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import { createInbox, Msg, NatsConnection, Subscription } from 'nats';
import { LogsChunk, logsChunkSchema, LogsRequest, logsRequestSchema, parseMessage, Subjects } from '@berth/contracts';
import { NATS_CONNECTION } from '@berth/messaging';
import { GATEWAY_CONFIG, GatewayConfig } from '../app.config';
import { PODS } from '../resources/api-kinds';
import { ObjectReads } from '../resources/object-reads.service';
import { BadRequest, DependencyUnavailable } from '../shared/api-errors';
import { ApiStream } from '../shared/api-reply';

const NO_RESPONDERS = 503;

/** The query of a log request, checked: Kubernetes' names, Berth's limits (logsRequestSchema). */
export function logsRequestOf(replicaUid: string, query: Record<string, string>): LogsRequest {
  const int = (name: string): number | undefined => {
    const value = query[name];
    if (value === undefined || value === '') return undefined;
    if (!/^\d{1,12}$/.test(value)) throw new BadRequest(`${name} must be a non-negative integer, not ${JSON.stringify(value)}`);
    return Number(value);
  };
  const follow = query['follow'];
  if (follow !== undefined && !['true', 'false', '1', '0', ''].includes(follow)) throw new BadRequest(`follow must be true or false, not ${JSON.stringify(follow)}`);
  if (query['previous'] === 'true') throw new BadRequest('previous=true is not supported: Berth keeps the logs of the current container only');
  const request = logsRequestSchema.safeParse({
    replicaUid,
    follow: follow === 'true' || follow === '1',
    tailLines: int('tailLines'),
    sinceSeconds: int('sinceSeconds'),
    limitBytes: int('limitBytes'),
  });
  if (!request.success) throw new BadRequest(`invalid log options: ${request.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return request.data;
}

function text(chunk: LogsChunk): string {
  return chunk.lines.map((line) => `${line}\n`).join('');
}

/**
 * Pod logs from the node that runs the pod: a LogsRequest on `berth.node.<node>.logs`, answered
 * by LogsChunk messages on our inbox until `done` (or, when following, until the client goes:
 * unsubscribing is how the agent learns to stop).
 */
@Injectable()
export class LogsService {
  private readonly logger = new Logger(LogsService.name);

  constructor(
    private readonly reads: ObjectReads,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async logs(namespace: string, name: string, query: Record<string, string>, gone: AbortSignal): Promise<ApiStream> {
    const { row } = await this.reads.live(PODS, namespace, name);
    const container = query['container'];
    const containers = ((row.object['spec'] as { containers?: { name: string }[] }).containers ?? []).map((c) => c.name);
    if (container && !containers.includes(container)) throw new BadRequest(`container ${container} is not valid for pod ${name}`);
    const node = (row.object['spec'] as { nodeName?: string }).nodeName;
    if (!node) throw new BadRequest(`pod "${name}" is not scheduled to a node yet: it has no logs`);
    const request = logsRequestOf(row.uid, query);
    const subject = Subjects.nodeLogs(node);
    // Under the node's own subjects: its agent may publish only there.
    const inbox = createInbox(Subjects.nodeLogsReply(node));
    const subscription = this.nats.subscribe(inbox);
    const messages = subscription[Symbol.asyncIterator]();
    const stop = () => subscription.unsubscribe();
    gone.addEventListener('abort', stop, { once: true });
    this.nats.publish(subject, JSON.stringify(request), { reply: inbox });
    let first: LogsChunk;
    try {
      first = await this.firstChunk(messages, subscription, node);
    } catch (error) {
      stop();
      throw error;
    }
    if (first.error && first.lines.length === 0 && first.done) {
      stop();
      throw new BadRequest(`the node ${node} could not serve the logs of pod "${name}": ${first.error}`);
    }
    const logger = this.logger;
    async function* body(): AsyncGenerator<string> {
      try {
        let chunk: LogsChunk | undefined = first;
        while (chunk) {
          if (chunk.lines.length > 0) yield text(chunk);
          if (chunk.done) {
            if (chunk.error) logger.debug({ msg: 'log stream ended with an error', node, pod: name, error: chunk.error });
            return;
          }
          chunk = await nextChunk(messages, subject);
        }
      } finally {
        stop();
        gone.removeEventListener('abort', stop);
      }
    }
    return new ApiStream('text/plain; charset=utf-8', Readable.from(body()));
  }

  private async firstChunk(messages: AsyncIterator<Msg>, subscription: Subscription, node: string): Promise<LogsChunk> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        subscription.unsubscribe();
        reject(new DependencyUnavailable(`the node-agent of node ${node} did not answer within ${this.config.LOGS_TIMEOUT_MS} ms`));
      }, this.config.LOGS_TIMEOUT_MS);
    });
    try {
      const chunk = await Promise.race([nextChunk(messages, Subjects.nodeLogs(node)), timeout]);
      if (!chunk) throw new DependencyUnavailable(`the node-agent of node ${node} is not connected`);
      return chunk;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The next LogsChunk on the inbox; answers the agent's "still listening?" pings; undefined when the inbox closed or nobody listens on the node subject. */
async function nextChunk(messages: AsyncIterator<Msg>, subject: string): Promise<LogsChunk | undefined> {
  for (;;) {
    const next = await messages.next();
    if (next.done) return undefined;
    const msg = next.value;
    if (msg.headers?.hasError && msg.headers.code === NO_RESPONDERS) return undefined;
    if (msg.reply) {
      // The agent checks we still listen while it follows: any answer will do.
      msg.respond();
      continue;
    }
    return parseMessage(logsChunkSchema, subject, msg.data);
  }
}
