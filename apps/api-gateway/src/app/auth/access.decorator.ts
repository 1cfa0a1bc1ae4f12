import { SetMetadata } from '@nestjs/common';
import { AccessRule, Verb } from './access-policy';

export const ACCESS_RULE = 'berth:access-rule';
export const PUBLIC_ROUTE = 'berth:public-route';

/** What the route does, checked by AccessGuard against the caller's grant. */
export const Access = (verb: Verb, resource: string, group = '', options: { clusterScoped?: boolean } = {}): MethodDecorator =>
  SetMetadata(ACCESS_RULE, { verb, resource, group, ...(options.clusterScoped ? { clusterScoped: true } : {}) } satisfies AccessRule);

/** Any authenticated caller may use it (discovery). */
export const Authenticated = (): MethodDecorator => SetMetadata(ACCESS_RULE, 'authenticated');

/** No token needed (health, OpenAPI document, docs). */
export const Public = (): MethodDecorator => SetMetadata(PUBLIC_ROUTE, true);
