import { z } from 'zod';
import { LabelSelector, labelSelectorSchema, matchesLabelSelector } from './label-selector.schema';
import { isDNS1123Subdomain, isValidPercent } from './name-validation.util';
import { namespacedObjectMetaSchema } from './object-meta.schema';
import { podTemplateSpecSchema } from './pod-spec.schema';
import {
  asArray,
  asNumber,
  asRecord,
  asStringMap,
  CONDITION_STATUSES,
  crossRules,
  integer,
  IntOrString,
  intOrString,
  nonNegativeInt,
  orEmpty,
  rules,
  timestamp,
} from './schema-kit.util';

export const DEPLOYMENT_DEFAULTS = {
  replicas: 1,
  maxSurge: '25%',
  maxUnavailable: '25%',
  revisionHistoryLimit: 10,
  progressDeadlineSeconds: 600,
} as const;

/** maxSurge / maxUnavailable: a non-negative count or "<n>%". */
function intOrPercent() {
  return rules(intOrString(), (value, r) => {
    if (typeof value === 'string') for (const msg of isValidPercent(value)) r.invalid([], value, msg);
    else if (value < 0) r.invalid([], value, 'must be greater than or equal to 0');
  });
}

/** The number a valid int-or-percent stands for before scaling ("25%" -> 25), like getIntOrPercentValue. */
function intOrPercentValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && isValidPercent(value).length === 0) return Number(value.slice(0, -1));
  return undefined;
}

export const rollingUpdateDeploymentSchema = crossRules(
  z.object({
    maxUnavailable: intOrPercent().optional(),
    maxSurge: intOrPercent().optional(),
  }),
  (rollingUpdate, r) => {
    const ru = asRecord(rollingUpdate);
    if (!ru) return;
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
      r.invalid(['maxUnavailable'], ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0');
    }
    if (typeof ru.maxUnavailable === 'string' && (intOrPercentValue(ru.maxUnavailable) ?? 0) > 100) {
      r.invalid(['maxUnavailable'], ru.maxUnavailable, 'must not be greater than 100%');
    }
  },
);

export type DeploymentStrategy =
  | { type: 'RollingUpdate'; rollingUpdate: { maxSurge: IntOrString; maxUnavailable: IntOrString } }
  | { type: 'Recreate' };

export const deploymentStrategySchema = crossRules(
  z.object({
    type: z.enum(['RollingUpdate', 'Recreate']).default('RollingUpdate'),
    rollingUpdate: rollingUpdateDeploymentSchema.optional(),
  }),
  (strategy, r) => {
    const s = asRecord(strategy);
    if (s?.type === 'Recreate' && s.rollingUpdate !== undefined) {
      r.forbidden(['rollingUpdate'], "may not be specified when strategy `type` is 'Recreate'");
    }
  },
).transform(
  (strategy): DeploymentStrategy =>
    strategy.type === 'Recreate'
      ? { type: 'Recreate' }
      : {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: strategy.rollingUpdate?.maxSurge ?? DEPLOYMENT_DEFAULTS.maxSurge,
            maxUnavailable: strategy.rollingUpdate?.maxUnavailable ?? DEPLOYMENT_DEFAULTS.maxUnavailable,
          },
        },
);

/** The selector when it is valid enough to evaluate, else undefined (its own errors are reported anyway). */
function evaluableSelector(value: unknown): LabelSelector | undefined {
  const parsed = labelSelectorSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export const deploymentSpecSchema = crossRules(
  z.object({
    replicas: nonNegativeInt().default(DEPLOYMENT_DEFAULTS.replicas),
    selector: labelSelectorSchema,
    template: orEmpty(podTemplateSpecSchema),
    strategy: orEmpty(deploymentStrategySchema),
    minReadySeconds: nonNegativeInt().default(0),
    revisionHistoryLimit: nonNegativeInt().default(DEPLOYMENT_DEFAULTS.revisionHistoryLimit),
    progressDeadlineSeconds: nonNegativeInt().default(DEPLOYMENT_DEFAULTS.progressDeadlineSeconds),
    paused: z.boolean().default(false),
  }),
  (spec, r) => {
    const s = asRecord(spec);
    if (!s) return;
    const selector = asRecord(s.selector);
    const template = asRecord(s.template);
    if (selector) {
      const termCount = Object.keys(asRecord(selector.matchLabels) ?? {}).length + asArray(selector.matchExpressions).length;
      const evaluable = evaluableSelector(selector);
      const labels = asRecord(template?.metadata)?.labels;
      const stringLabels = labels === undefined ? {} : asStringMap(labels);
      if (termCount === 0) {
        r.invalid(['selector'], selector, 'empty selector is invalid for deployment');
      } else if (evaluable && stringLabels && !matchesLabelSelector(evaluable, stringLabels)) {
        r.invalid(['template', 'metadata', 'labels'], labels, '`selector` does not match template `labels`');
      }
    }
    const restartPolicy = asRecord(template?.spec)?.restartPolicy;
    if (restartPolicy === 'OnFailure' || restartPolicy === 'Never') {
      r.notSupported(['template', 'spec', 'restartPolicy'], restartPolicy, ['Always']);
    }
    const progressDeadline = asNumber(s.progressDeadlineSeconds);
    if (progressDeadline !== undefined && progressDeadline <= (asNumber(s.minReadySeconds) ?? 0)) {
      r.invalid(['progressDeadlineSeconds'], progressDeadline, 'must be greater than minReadySeconds');
    }
  },
);
export type DeploymentSpec = z.output<typeof deploymentSpecSchema>;

export const deploymentConditionSchema = z.object({
  type: z.string(),
  status: z.enum(CONDITION_STATUSES),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastUpdateTime: timestamp().optional(),
  lastTransitionTime: timestamp().optional(),
});
export type DeploymentCondition = z.output<typeof deploymentConditionSchema>;

export const deploymentStatusSchema = z.object({
  observedGeneration: integer().optional(),
  replicas: nonNegativeInt().optional(),
  updatedReplicas: nonNegativeInt().optional(),
  readyReplicas: nonNegativeInt().optional(),
  availableReplicas: nonNegativeInt().optional(),
  unavailableReplicas: nonNegativeInt().optional(),
  conditions: z.array(deploymentConditionSchema).optional(),
  collisionCount: nonNegativeInt().optional(),
});
export type DeploymentStatus = z.output<typeof deploymentStatusSchema>;

export const deploymentSchema = z.object({
  apiVersion: z.literal('apps/v1'),
  kind: z.literal('Deployment'),
  metadata: orEmpty(namespacedObjectMetaSchema(isDNS1123Subdomain)),
  spec: orEmpty(deploymentSpecSchema),
  status: deploymentStatusSchema.optional(),
});
export type Deployment = z.output<typeof deploymentSchema>;
export type DeploymentInput = z.input<typeof deploymentSchema>;
