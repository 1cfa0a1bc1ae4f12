import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Response } from 'express';
import { TokenRole } from '@berth/api-read-models';
import { RequestBody, RequestWithBody } from './raw-body.reader';

/** What a request is allowed to do: a role, in one namespace or cluster-wide. */
export interface Grant {
  role: TokenRole;
  /** Absent: cluster-wide. */
  namespace?: string;
}

/** Who is asking, and under which request id (recorded in the metadata of every event it appends). */
export interface Caller {
  actor: string;
  grant: Grant;
  requestId: string;
  traceId?: string;
}

export interface RequestWithCaller extends RequestWithBody {
  caller?: Caller;
}

/** The authenticated caller (set by AccessGuard). */
export const RequestCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<RequestWithCaller>().caller;
  if (!caller) throw new Error('no caller on the request: the route is missing AccessGuard');
  return caller;
});

/** The raw request body and its media type. */
export const RawBody = createParamDecorator((_data: unknown, context: ExecutionContext): RequestBody => {
  const request = context.switchToHttp().getRequest<RequestWithBody>();
  const contentType = request.headers['content-type'];
  return { ...(contentType ? { contentType } : {}), ...(request.berthBody ? { bytes: request.berthBody } : {}) };
});

/** Aborts when the client goes away (or the response is over): streams stop on it. */
export const ClientGone = createParamDecorator((_data: unknown, context: ExecutionContext): AbortSignal => {
  const response = context.switchToHttp().getResponse<Response>();
  const controller = new AbortController();
  response.once('close', () => controller.abort());
  return controller.signal;
});

/** Query parameters as single strings (the first of repeated ones). */
export const QueryParams = createParamDecorator((_data: unknown, context: ExecutionContext): Record<string, string> => {
  const query = context.switchToHttp().getRequest<RequestWithBody>().query as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') out[key] = first;
  }
  return out;
});
