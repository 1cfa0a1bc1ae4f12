import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata, StreamableFile } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { map, Observable } from 'rxjs';
import { ApiReply, ApiStream } from './api-reply';

const REPLY_STATUS = 'berth:reply-status';

/**
 * Marks a route whose status code depends on the outcome (POST /apply: 200 or 207). Such a
 * route also takes `@Res()`, so Nest leaves the reply to ApiReplyInterceptor.
 */
export const ReplyStatus = (): MethodDecorator => SetMetadata(REPLY_STATUS, true);

/** Header values must be visible ASCII; warnings quote user input. */
function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text.replace(/[^\x20-\x7e]/g, '?'))}`;
}

/** Kubernetes' bounds on a response's warnings: past 4 KiB in all, each is cut to 256 characters, then the rest dropped. */
export const MAX_WARNINGS_BYTES = 4 * 1024;
export const MAX_WARNING_LENGTH = 256;

/**
 * The Warning header values of a reply. A manifest with thousands of unknown fields must not
 * give a response whose headers no client can read (Node's limit is 16 KiB), so the total is bounded.
 */
export function warningHeaders(warnings: readonly string[]): string[] {
  const all = warnings.map(warningHeader);
  if (all.reduce((sum, header) => sum + header.length, 0) <= MAX_WARNINGS_BYTES) return all;
  const headers: string[] = [];
  let size = 0;
  for (const [i, warning] of warnings.entries()) {
    const header = warningHeader(warning.length > MAX_WARNING_LENGTH ? `${warning.slice(0, MAX_WARNING_LENGTH)}...` : warning);
    if (size + header.length > MAX_WARNINGS_BYTES) {
      headers.push(warningHeader(`${warnings.length - i} more warnings were left out`));
      break;
    }
    headers.push(header);
    size += header.length;
  }
  return headers;
}

/** Turns what services return (ApiReply, ApiStream) into HTTP: warnings, status, streamed bodies. */
@Injectable()
export class ApiReplyInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const response = context.switchToHttp().getResponse<Response>();
    const ownsReply = this.reflector.get<boolean | undefined>(REPLY_STATUS, context.getHandler()) === true;
    return next.handle().pipe(
      map((result: unknown) => {
        if (result instanceof ApiReply) {
          for (const header of warningHeaders(result.warnings)) response.append('Warning', header);
          if (!ownsReply) return result.body;
          response.status(result.code).json(result.body);
          return undefined;
        }
        if (result instanceof ApiStream) {
          response.status(200);
          response.setHeader('Content-Type', result.contentType);
          response.setHeader('Cache-Control', 'no-cache');
          response.setHeader('X-Content-Type-Options', 'nosniff');
          // A watch may stay quiet for long: the client must see the 200 now.
          response.flushHeaders();
          response.socket?.setNoDelay(true);
          return new StreamableFile(result.stream, { type: result.contentType });
        }
        return result;
      }),
    );
  }
}
