import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { GATEWAY_CONFIG, GatewayConfig } from '../app.config';
import { BadRequest, BodyTooLarge } from './api-errors';
import { requestUrlCheck } from './request-url.check';

/** The request body as bytes, and its declared media type: decoded by the service that needs it. */
export interface RequestBody {
  contentType?: string;
  bytes?: Buffer;
}

export interface RequestWithBody extends Request {
  berthBody?: Buffer;
}

/** A client that keeps sending past the limit is cut off after this much. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

/**
 * Reads every request body as raw bytes, up to `limit` (413 beyond, after draining what the
 * client sends so it sees the answer). Bodies are decoded later by the service that takes
 * them: JSON, YAML and patch documents each have their own rules and error messages.
 */
export function rawBodyReader(limit: number) {
  return function jsonParser(req: RequestWithBody, res: Response, next: NextFunction): void {
    if (!hasBody(req)) {
      next();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length']) > limit;
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      if (error) {
        res.setHeader('Connection', 'close');
        next(error);
        return;
      }
      req.berthBody = Buffer.concat(chunks, size);
      next();
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (size > Math.max(DRAIN_LIMIT, limit)) {
          finish(new BodyTooLarge(limit));
          req.destroy();
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish(tooLarge ? new BodyTooLarge(limit) : undefined));
    req.on('error', () => finish(new BadRequest('the request body could not be read')));
  };
}

/**
 * Installs the body reader on the HTTP adapter while the application is being created, before
 * Nest registers its own JSON parser (Nest skips its parser when one named `jsonParser` is
 * there already; its 100 kB limit and HTML errors are not what the API promises).
 */
@Injectable()
export class RawBodyInstaller {
  constructor(adapterHost: HttpAdapterHost, @Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    const adapter = adapterHost.httpAdapter;
    if (!adapter) throw new Error('the gateway must be created with NestFactory.create: its body reader is installed while the app is built');
    adapter.use(requestUrlCheck);
    adapter.use(rawBodyReader(config.MAX_BODY_BYTES));
    adapter.use(function urlencodedParser(_req: Request, _res: Response, next: NextFunction) {
      next();
    });
  }
}
