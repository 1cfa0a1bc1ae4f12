import { TokenRole } from '@berth/api-read-models';
import { Grant } from '../shared/request-context';

export const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] as const;
export type Verb = (typeof VERBS)[number];

/** What a route does, for authorization: `create` on `deployments` (group `apps`). */
export interface AccessRule {
  verb: Verb;
  /** Plural resource, with a subresource after a slash: `deployments/scale`, `pods/log`. */
  resource: string;
  group: string;
  /** The resource is cluster-scoped (nodes, namespaces): only cluster-wide grants reach it. */
  clusterScoped?: boolean;
}

/** One request to authorize: the rule, the namespace it acts in (none: cluster scope or all namespaces), the object name. */
export interface AccessRequest extends AccessRule {
  namespace?: string;
  name?: string;
}

const RANK: Record<TokenRole, number> = { view: 1, edit: 2, admin: 3 };
const READS: readonly Verb[] = ['get', 'list', 'watch'];

/** Reading logs shows what containers print (secrets, too): an edit right, as the contract says. */
const EDIT_READS = new Set(['pods/log']);

/** The least role a request needs, ignoring scope. */
export function requiredRole(request: AccessRule): TokenRole {
  if (request.clusterScoped && !READS.includes(request.verb)) return 'admin';
  if (READS.includes(request.verb) && !EDIT_READS.has(request.resource)) return 'view';
  return 'edit';
}

/**
 * Roles per namespace or cluster-wide (contract): view = get/list/watch; edit = view + writes of
 * namespaced objects, scale, rollback, logs; admin = everything, namespaces and nodes included.
 * A namespaced grant reaches only its own namespace (and may read that Namespace object).
 */
export function isAllowed(grant: Grant, request: AccessRequest): boolean {
  if (RANK[grant.role] < RANK[requiredRole(request)]) return false;
  if (grant.namespace === undefined) return true;
  if (request.resource === 'namespaces') return request.verb === 'get' && request.name === grant.namespace;
  if (request.clusterScoped) return false;
  return request.namespace === grant.namespace;
}

/** Kubernetes' wording: `User "x" cannot create resource "deployments" in API group "apps" in the namespace "ns"`. */
export function forbiddenMessage(actor: string, request: AccessRequest): string {
  const plural = request.resource.split('/')[0];
  const target = `${request.group ? `${plural}.${request.group}` : plural}${request.name ? ` "${request.name}"` : ''}`;
  const scope = request.namespace ? `in the namespace "${request.namespace}"` : 'at the cluster scope';
  return `${target} is forbidden: User "${actor}" cannot ${request.verb} resource "${request.resource}" in API group "${request.group}" ${scope}`;
}
