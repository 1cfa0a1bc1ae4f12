import type { NextFunction, Request, Response } from 'express';
import { BadRequest } from './api-errors';

/** NUL, raw or percent-encoded: Postgres text cannot hold it, so no name, selector or token may contain it. */
const hasNul = (url: string): boolean => url.includes('\u0000') || /%00/.test(url);

/**
 * Refuses a request whose path or query holds a NUL character (400), before any route sees it:
 * such a value cannot name anything, and handing it to Postgres would fail the query (a 500).
 */
export function requestUrlCheck(req: Request, _res: Response, next: NextFunction): void {
  if (hasNul(req.url)) {
    next(new BadRequest('the request path or query contains a NUL character (%00)'));
    return;
  }
  next();
}
