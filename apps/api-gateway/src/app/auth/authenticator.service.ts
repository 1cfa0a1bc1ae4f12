import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { TokenDirectory } from '@berth/api-read-models';
import { GATEWAY_CONFIG, GatewayConfig } from '../app.config';
import { Unauthenticated } from '../shared/api-errors';
import { Caller } from '../shared/request-context';

/** Metadata fields are at most 200 characters (event catalogue). */
const MAX_ID = 200;

function header(request: Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The trace id of a W3C `traceparent` header (`00-<trace id>-<span id>-<flags>`). */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const match = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/i.exec(traceparent?.trim() ?? '');
  return match ? match[1].toLowerCase() : undefined;
}

/** Who is calling: a bearer token looked up by its hash, or `anonymous` in ANONYMOUS mode. */
@Injectable()
export class Authenticator implements OnApplicationBootstrap {
  private readonly logger = new Logger(Authenticator.name);

  constructor(
    private readonly tokens: TokenDirectory,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.ANONYMOUS) this.logger.warn({ msg: 'ANONYMOUS=true: requests without a token act as admin (local development only)' });
  }

  async authenticate(request: Request): Promise<Caller> {
    const requestId = (header(request, 'x-request-id') ?? randomUUID()).slice(0, MAX_ID);
    const traceId = traceIdOf(header(request, 'traceparent'));
    const context = { requestId, ...(traceId ? { traceId } : {}) };
    const authorization = header(request, 'authorization');
    if (authorization === undefined) {
      if (this.config.ANONYMOUS) return { actor: 'anonymous', grant: { role: 'admin' }, ...context };
      throw new Unauthenticated();
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new Unauthenticated();
    const token = await this.tokens.authenticate(match[1]);
    if (!token) throw new Unauthenticated();
    return {
      actor: `token:${token.id}`.slice(0, MAX_ID),
      grant: { role: token.role, ...(token.namespace ? { namespace: token.namespace } : {}) },
      ...context,
    };
  }
}
