import { DeploymentSpecView, DeploymentStrategyView, IntOrPercent, PodTemplate } from './cluster-state.model';

/** Kubernetes' Deployment defaults (the gateway fills them too; a raw manifest still reads right). */
export const DEPLOYMENT_SPEC_DEFAULTS = {
  replicas: 1,
  maxSurge: '25%',
  maxUnavailable: '25%',
  minReadySeconds: 0,
  revisionHistoryLimit: 10,
  progressDeadlineSeconds: 600,
} as const;

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function nonNegativeInt(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}

function intOrPercent(value: unknown, fallback: IntOrPercent): IntOrPercent {
  return typeof value === 'number' || typeof value === 'string' ? value : fallback;
}

function strategyOf(value: unknown): DeploymentStrategyView {
  const strategy = asRecord(value) ?? {};
  if (strategy['type'] === 'Recreate') return { type: 'Recreate' };
  const rolling = asRecord(strategy['rollingUpdate']) ?? {};
  return {
    type: 'RollingUpdate',
    maxSurge: intOrPercent(rolling['maxSurge'], DEPLOYMENT_SPEC_DEFAULTS.maxSurge),
    maxUnavailable: intOrPercent(rolling['maxUnavailable'], DEPLOYMENT_SPEC_DEFAULTS.maxUnavailable),
  };
}

/** Reads the spec of a (validated) Deployment manifest; missing fields take Kubernetes' defaults. */
export function deploymentSpecOf(manifest: Readonly<Record<string, unknown>>): DeploymentSpecView {
  const spec = asRecord(manifest['spec']) ?? {};
  const deadline = spec['progressDeadlineSeconds'];
  return {
    replicas: nonNegativeInt(spec['replicas'], DEPLOYMENT_SPEC_DEFAULTS.replicas),
    selector: asRecord(spec['selector']) ?? {},
    template: (asRecord(spec['template']) ?? {}) as PodTemplate,
    strategy: strategyOf(spec['strategy']),
    minReadySeconds: nonNegativeInt(spec['minReadySeconds'], DEPLOYMENT_SPEC_DEFAULTS.minReadySeconds),
    revisionHistoryLimit: nonNegativeInt(spec['revisionHistoryLimit'], DEPLOYMENT_SPEC_DEFAULTS.revisionHistoryLimit),
    progressDeadlineSeconds: deadline === null ? undefined : nonNegativeInt(deadline, DEPLOYMENT_SPEC_DEFAULTS.progressDeadlineSeconds),
    paused: spec['paused'] === true,
  };
}

/** The manifest with some spec fields replaced (scale, pause, rollback keep the manifest in step). */
export function withSpec(manifest: Readonly<Record<string, unknown>>, patch: Record<string, unknown>): Readonly<Record<string, unknown>> {
  return { ...manifest, spec: { ...(asRecord(manifest['spec']) ?? {}), ...patch } };
}

/** Pod spec of a template, `{}` when absent. */
export function podSpecOf(template: PodTemplate): Record<string, unknown> {
  return asRecord(template['spec']) ?? {};
}

/** Labels of a template's metadata. */
export function templateLabels(template: PodTemplate): Record<string, string> {
  const labels = asRecord(asRecord(template['metadata'])?.['labels']) ?? {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) if (typeof value === 'string') out[key] = value;
  return out;
}
