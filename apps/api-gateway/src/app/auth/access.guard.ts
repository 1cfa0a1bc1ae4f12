import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessDenied } from '../shared/api-errors';
import { RequestWithCaller } from '../shared/request-context';
import { ACCESS_RULE, PUBLIC_ROUTE } from './access.decorator';
import { AccessRule, forbiddenMessage, isAllowed } from './access-policy';
import { Authenticator } from './authenticator.service';

/**
 * Authenticates every request of the routes it guards (401 without a valid token) and checks
 * the route's @Access rule against the caller's grant in the request's namespace (403).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const handler = context.getHandler();
    if (this.reflector.get<boolean | undefined>(PUBLIC_ROUTE, handler)) return true;
    const rule = this.reflector.get<AccessRule | 'authenticated' | undefined>(ACCESS_RULE, handler);
    if (!rule) throw new Error(`route ${context.getClass().name}.${handler.name} declares no @Access rule`);
    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    const caller = await this.authenticator.authenticate(request);
    request.caller = caller;
    if (rule === 'authenticated') return true;
    const params = request.params as Record<string, string | undefined>;
    const watching = rule.verb === 'list' && (request.query as Record<string, unknown>)['watch'] === 'true';
    const access = { ...rule, ...(watching ? { verb: 'watch' as const } : {}), namespace: params['namespace'], name: params['name'] };
    if (!isAllowed(caller.grant, access)) throw new AccessDenied(forbiddenMessage(caller.actor, access));
    return true;
  }
}
