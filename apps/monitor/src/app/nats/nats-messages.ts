import { Logger } from '@nestjs/common';
import { headers, Msg, NatsConnection, Subscription } from 'nats';
import { z } from 'zod';
import { InvalidMessage, parseMessage } from '@berth/contracts';

/** Why a request was refused; `code` follows HTTP (400 invalid, 403 not yours, 503 try again). */
export interface ReplyErrorBody {
  error: { code: number; reason: string; message: string; issues?: { field: string; message: string }[] };
}

/** A request the monitor refuses on purpose; handlers turn it into an error reply. */
export class RequestRejected extends Error {
  override readonly name = 'RequestRejected';
  constructor(
    readonly code: 400 | 403 | 404,
    readonly reason: string,
    message: string,
    readonly issues: { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** `berth.node.<node>.<kind>` -> `<node>`. */
export function nodeOfSubject(subject: string): string {
  const tokens = subject.split('.');
  return tokens.slice(2, -1).join('.');
}

/** The node in a payload must be the node in the subject: an agent may only speak for itself. */
export function assertSameNode(subject: string, payloadNode: string): void {
  const subjectNode = nodeOfSubject(subject);
  if (subjectNode !== payloadNode) {
    throw new RequestRejected(403, 'NodeMismatch', `payload is about node "${payloadNode}" but was sent on ${subject}`, [
      { field: 'node', message: `must be "${subjectNode}", the node of the subject` },
    ]);
  }
}

const encoder = new TextEncoder();

export function replyJson(msg: Msg, body: unknown): void {
  if (msg.reply) msg.respond(encoder.encode(JSON.stringify(body)));
}

/** Error reply: a JSON body plus the NATS micro headers (`Nats-Service-Error[-Code]`). */
export function replyError(msg: Msg, body: ReplyErrorBody['error']): void {
  if (!msg.reply) return;
  const h = headers();
  h.set('Nats-Service-Error', body.message.slice(0, 200));
  h.set('Nats-Service-Error-Code', String(body.code));
  msg.respond(encoder.encode(JSON.stringify({ error: body } satisfies ReplyErrorBody)), { headers: h });
}

export interface HandlerOptions<S extends z.ZodType> {
  subject: string;
  schema: S;
  /** Queue group: copies of the monitor share the messages. */
  queue?: string;
  logger: Logger;
  /** Called with the parsed payload; a value it returns is the reply. */
  handle: (value: z.infer<S>, msg: Msg) => unknown;
  onInvalid?: () => void;
}

/**
 * Subscribes with a callback (so a message is handled as soon as it is read), parses every
 * payload with its schema, and turns failures into error replies: invalid payloads and
 * rejections are logged with the fields at fault; anything else is a 503 (the sender retries).
 */
export function subscribeParsed<S extends z.ZodType>(nats: NatsConnection, options: HandlerOptions<S>): Subscription {
  const { logger } = options;
  const fail = (msg: Msg, error: unknown) => {
    if (error instanceof InvalidMessage) {
      options.onInvalid?.();
      logger.warn({ msg: 'invalid message', subject: msg.subject, fields: error.issues.map((i) => i.field), issues: error.issues });
      replyError(msg, { code: 400, reason: 'InvalidMessage', message: error.message, issues: error.issues });
    } else if (error instanceof RequestRejected) {
      options.onInvalid?.();
      logger.warn({ msg: 'request rejected', subject: msg.subject, reason: error.reason, fields: error.issues.map((i) => i.field), error: error.message });
      replyError(msg, { code: error.code, reason: error.reason, message: error.message, issues: error.issues });
    } else {
      logger.error({ msg: 'handler failed', subject: msg.subject, error: error instanceof Error ? error.message : String(error) });
      replyError(msg, { code: 503, reason: 'Unavailable', message: 'the monitor could not handle the request now; retry' });
    }
  };
  return nats.subscribe(options.subject, {
    queue: options.queue,
    callback: (error, msg) => {
      if (error) {
        logger.warn({ msg: 'subscription error', subject: options.subject, error: error.message });
        return;
      }
      try {
        const value = parseMessage(options.schema, msg.subject, msg.data);
        const result = options.handle(value, msg);
        if (result instanceof Promise) {
          result.then((reply: unknown) => reply !== undefined && replyJson(msg, reply)).catch((e: unknown) => fail(msg, e));
        } else if (result !== undefined) {
          replyJson(msg, result);
        }
      } catch (e) {
        fail(msg, e);
      }
    },
  });
}
