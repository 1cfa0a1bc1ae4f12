import type { ContainerFilter, ContainerSpec } from './container-runtime';

/** Labels on every Berth container: adoption after an agent restart finds containers by them. */
export const BERTH_LABELS = {
  managed: 'berth.managed',
  replica: 'berth.replica',
  replicaName: 'berth.replica-name',
  node: 'berth.node',
  deployment: 'berth.deployment',
  namespace: 'berth.namespace',
  container: 'berth.container',
  attempt: 'berth.attempt',
  /** On a network sandbox (sandbox pool): never a replica, left out of list() and events(). */
  sandbox: 'berth.sandbox',
  sandboxSignature: 'berth.sandbox-signature',
  /** On a replica container that joined a sandbox's network namespace: the sandbox's container id. */
  sandboxId: 'berth.sandbox-id',
} as const;

export function berthLabels(spec: ContainerSpec): Record<string, string> {
  return {
    ...spec.labels,
    [BERTH_LABELS.managed]: 'true',
    [BERTH_LABELS.replica]: spec.replicaUid,
    [BERTH_LABELS.replicaName]: spec.name,
    [BERTH_LABELS.node]: spec.node,
    [BERTH_LABELS.deployment]: spec.deployment,
    [BERTH_LABELS.namespace]: spec.namespace,
    ...(spec.containerName ? { [BERTH_LABELS.container]: spec.containerName } : {}),
    [BERTH_LABELS.attempt]: String(spec.attempt ?? 0),
  };
}

/** Engine label filters (`key=value`, all must match) for a ContainerFilter. */
export function labelFilters(filter: ContainerFilter = {}): string[] {
  const filters = [`${BERTH_LABELS.managed}=true`];
  if (filter.node !== undefined) filters.push(`${BERTH_LABELS.node}=${filter.node}`);
  if (filter.replicaUid !== undefined) filters.push(`${BERTH_LABELS.replica}=${filter.replicaUid}`);
  if (filter.deployment !== undefined) filters.push(`${BERTH_LABELS.deployment}=${filter.deployment}`);
  if (filter.namespace !== undefined) filters.push(`${BERTH_LABELS.namespace}=${filter.namespace}`);
  return filters;
}

/** Deterministic, so two creations of the same replica attempt collide in the engine instead of duplicating. */
export function engineContainerName(spec: ContainerSpec): string {
  const parts = ['berth', spec.node, spec.replicaUid];
  if (spec.containerName) parts.push(spec.containerName);
  if (spec.attempt) parts.push(String(spec.attempt));
  const name = parts.join('-').replace(/[^a-zA-Z0-9_.-]/g, '_');
  return name.slice(0, 200);
}

/** The replica name as an RFC 1123 label, or undefined to let the engine pick (the short id). */
export function hostnameFor(name: string): string | undefined {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
  return label || undefined;
}
