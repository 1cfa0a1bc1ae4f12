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
          for (const warning of result.warnings) response.append('Warning', warningHeader(warning));
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
