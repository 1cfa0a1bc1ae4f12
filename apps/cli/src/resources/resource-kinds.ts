import { RESOURCE_TYPES } from '@berth/contracts';
import { CliError } from '../commands/cli.errors';

/** One kind the CLI can name on the command line, with the REST paths to reach it. */
export interface ResourceKind {
  kind: string;
  /** Lower-case plural, as in REST paths: `deployments`. */
  resource: string;
  singular: string;
  /** API group, '' for the core group. */
  group: string;
  apiVersion: string;
  namespaced: boolean;
  shortNames: readonly string[];
}

const SHORT_NAMES: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['deploy'],
  Pod: ['po'],
  Service: ['svc'],
  Node: ['no'],
  Namespace: ['ns'],
  Event: ['ev'],
  HorizontalPodAutoscaler: ['hpa'],
};

/** Every kind users address; Scale is only reached through `scale`. */
export const RESOURCE_KINDS: readonly ResourceKind[] = RESOURCE_TYPES.filter((type) => type.kind !== 'Scale').map((type) => ({
  kind: type.kind,
  resource: type.plural,
  singular: type.kind.toLowerCase(),
  group: type.group,
  apiVersion: type.apiVersion,
  namespaced: type.namespaced,
  shortNames: SHORT_NAMES[type.kind] ?? [],
}));

/** What `get all` lists, in kubectl's order. */
export const ALL_KINDS = ['pods', 'services', 'deployments', 'horizontalpodautoscalers'] as const;

function kindNamed(resource: string): ResourceKind {
  const found = RESOURCE_KINDS.find((k) => k.resource === resource);
  if (!found) throw new Error(`resource kind ${resource} is not registered`);
  return found;
}
export const DEPLOYMENTS = kindNamed('deployments');
export const PODS = kindNamed('pods');
export const NODES = kindNamed('nodes');
export const EVENTS = kindNamed('events');
export const NAMESPACES = kindNamed('namespaces');

/**
 * Finds a kind by what kubectl accepts: plural, singular, short name or Kind in any case,
 * optionally qualified with its group (`deployments.apps`) or version and group (`deployments.v1.apps`).
 */
export function findResourceKind(name: string): ResourceKind | undefined {
  const lower = name.toLowerCase();
  const [head, ...rest] = lower.split('.');
  const qualifier = rest.join('.');
  return RESOURCE_KINDS.find((k) => {
    const names = [k.resource, k.singular, ...k.shortNames];
    if (!names.includes(head)) return false;
    if (qualifier === '') return true;
    const [group, version] = [k.group, k.apiVersion.split('/').pop() ?? ''];
    return qualifier === group || qualifier === `${version}.${group}` || (group === '' && qualifier === version);
  });
}

export function resolveResourceKind(name: string): ResourceKind {
  const found = findResourceKind(name);
  if (!found) throw new CliError(`the server doesn't have a resource type "${name}"`);
  return found;
}

/** The kind of an object read from a manifest (apiVersion is not needed to tell Berth's kinds apart). */
export function kindOfObject(kind: string): ResourceKind | undefined {
  return RESOURCE_KINDS.find((k) => k.kind === kind);
}

/** kubectl's `deployment.apps`, `service`, `horizontalpodautoscaler.autoscaling`. */
export function qualifiedName(kind: ResourceKind): string {
  return kind.group ? `${kind.singular}.${kind.group}` : kind.singular;
}

/** Plural form used in kubectl messages: `deployments.apps "web" not found`. */
export function qualifiedPlural(kind: ResourceKind): string {
  return kind.group ? `${kind.resource}.${kind.group}` : kind.resource;
}

function apiBase(kind: ResourceKind): string {
  return kind.group === '' ? `/api/${kind.apiVersion}` : `/apis/${kind.apiVersion}`;
}

/** The collection path; a namespaced kind without namespace means every namespace. */
export function collectionPath(kind: ResourceKind, namespace?: string): string {
  if (kind.namespaced && namespace !== undefined) {
    return `${apiBase(kind)}/namespaces/${encodeURIComponent(namespace)}/${kind.resource}`;
  }
  return `${apiBase(kind)}/${kind.resource}`;
}

export function objectPath(kind: ResourceKind, namespace: string, name: string, subresource?: string): string {
  const base = `${collectionPath(kind, kind.namespaced ? namespace : undefined)}/${encodeURIComponent(name)}`;
  return subresource ? `${base}/${subresource}` : base;
}
