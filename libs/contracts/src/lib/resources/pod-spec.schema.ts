import { z } from 'zod';
import { containerSchema } from './container.schema';
import { checkRequirementValues, labelSelectorSchema } from './label-selector.schema';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './name-validation.util';
import { podTemplateMetadataSchema } from './object-meta.schema';
import {
  asArray,
  asNumber,
  asRecord,
  asString,
  checkedString,
  crossRules,
  formattedString,
  int32,
  integer,
  labelsMap,
  orEmpty,
  positiveInt,
  reportDuplicates,
  requiredString,
  rules,
} from './schema-kit.util';

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
export type TaintEffect = (typeof TAINT_EFFECTS)[number];
export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'] as const;
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;

const NODE_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'] as const;

const weight = () =>
  int32((value, r) => {
    if (value < 1 || value > 100) r.invalid([], value, 'must be in the range 1-100');
  });

export const nodeSelectorRequirementSchema = crossRules(
  z.object({
    key: checkedString(isQualifiedName),
    operator: z.enum(NODE_SELECTOR_OPERATORS),
    values: z.array(z.string()).optional(),
  }),
  (requirement, r) => {
    const req = asRecord(requirement);
    if (!req) return;
    checkRequirementValues(r, req.operator, req.values);
    if ((req.operator === 'Gt' || req.operator === 'Lt') && asArray(req.values).length !== 1) {
      r.required(['values'], "must be specified single value when `operator` is 'Lt' or 'Gt'");
    }
  },
);
export type NodeSelectorRequirement = z.output<typeof nodeSelectorRequirementSchema>;

export const nodeFieldSelectorRequirementSchema = crossRules(
  z.object({
    key: z.string(),
    operator: z.enum(NODE_SELECTOR_OPERATORS),
    values: z.array(z.string()).optional(),
  }),
  (requirement, r) => {
    const req = asRecord(requirement);
    if (!req) return;
    if (typeof req.key === 'string' && req.key !== 'metadata.name') r.invalid(['key'], req.key, 'not a valid field selector key');
    if (req.operator === 'In' || req.operator === 'NotIn') {
      if (asArray(req.values).length !== 1) {
        r.required(['values'], "must be only one value when `operator` is 'In' or 'NotIn' for node field selector");
      }
    } else if (typeof req.operator === 'string' && (NODE_SELECTOR_OPERATORS as readonly string[]).includes(req.operator)) {
      r.invalid(['operator'], req.operator, 'not a valid selector operator');
    }
  },
);

export const nodeSelectorTermSchema = z.object({
  matchExpressions: z.array(nodeSelectorRequirementSchema).optional(),
  matchFields: z.array(nodeFieldSelectorRequirementSchema).optional(),
});
export type NodeSelectorTerm = z.output<typeof nodeSelectorTermSchema>;

export const nodeSelectorSchema = z.object({
  nodeSelectorTerms: rules(z.array(nodeSelectorTermSchema), (terms, r) => {
    if (terms.length === 0) r.required([], 'must have at least one node selector term');
  }),
});

export const preferredSchedulingTermSchema = z.object({
  weight: weight(),
  preference: nodeSelectorTermSchema,
});

export const nodeAffinitySchema = z.object({
  requiredDuringSchedulingIgnoredDuringExecution: nodeSelectorSchema.optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z.array(preferredSchedulingTermSchema).optional(),
});
export type NodeAffinity = z.output<typeof nodeAffinitySchema>;

export const podAffinityTermSchema = z.object({
  labelSelector: labelSelectorSchema.optional(),
  namespaces: z.array(requiredString(isDNS1123Label)).optional(),
  topologyKey: checkedString(isQualifiedName, 'can not be empty'),
  namespaceSelector: labelSelectorSchema.optional(),
});
export type PodAffinityTerm = z.output<typeof podAffinityTermSchema>;

export const weightedPodAffinityTermSchema = z.object({
  weight: weight(),
  podAffinityTerm: podAffinityTermSchema,
});

/** Shared by podAffinity and podAntiAffinity. */
export const podAffinitySchema = z.object({
  requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTermSchema).optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z.array(weightedPodAffinityTermSchema).optional(),
});
export type PodAffinity = z.output<typeof podAffinitySchema>;

export const affinitySchema = z.object({
  nodeAffinity: nodeAffinitySchema.optional(),
  podAffinity: podAffinitySchema.optional(),
  podAntiAffinity: podAffinitySchema.optional(),
});
export type Affinity = z.output<typeof affinitySchema>;

export const tolerationSchema = crossRules(
  z.object({
    key: formattedString(isQualifiedName).optional(),
    operator: z.enum(['Equal', 'Exists']).optional(),
    value: z.string().optional(),
    // '' means every effect, as in Kubernetes.
    effect: z.enum([...TAINT_EFFECTS, '']).optional(),
    tolerationSeconds: integer().optional(),
  }),
  (toleration, r) => {
    const t = asRecord(toleration);
    if (!t) return;
    const operator = t.operator ?? '';
    const value = asString(t.value) ?? '';
    if ((asString(t.key) ?? '') === '' && operator !== 'Exists') {
      r.invalid(['operator'], operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"');
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      r.invalid(['effect'], t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set");
    }
    if (operator === 'Equal' || operator === '') {
      const errors = isValidLabelValue(value);
      if (errors.length > 0) r.invalid(['operator'], value, errors.join(';'));
    } else if (operator === 'Exists' && value !== '') {
      r.invalid(['operator'], value, "value must be empty when `operator` is 'Exists'");
    }
  },
).transform(({ effect, ...toleration }) => ({
  ...toleration,
  operator: toleration.operator ?? 'Equal',
  ...(effect ? { effect } : {}),
}));
export type Toleration = z.output<typeof tolerationSchema>;

export const topologySpreadConstraintSchema = crossRules(
  z.object({
    maxSkew: positiveInt('must be greater than zero'),
    topologyKey: checkedString(isQualifiedName, 'can not be empty'),
    whenUnsatisfiable: z.enum(['DoNotSchedule', 'ScheduleAnyway']),
    labelSelector: labelSelectorSchema.optional(),
    minDomains: positiveInt().optional(),
    nodeAffinityPolicy: z.enum(['Honor', 'Ignore']).optional(),
    nodeTaintsPolicy: z.enum(['Honor', 'Ignore']).optional(),
    matchLabelKeys: z.array(z.string()).optional(),
  }),
  (constraint, r) => {
    const c = asRecord(constraint);
    if (c?.minDomains !== undefined && c.whenUnsatisfiable === 'ScheduleAnyway') {
      r.invalid(['minDomains'], c.minDomains, 'can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway');
    }
  },
);
export type TopologySpreadConstraint = z.output<typeof topologySpreadConstraintSchema>;

export const podSpecSchema = crossRules(
  z.object({
    containers: rules(z.array(containerSchema), (containers, r) => {
      if (containers.length === 0) r.required([]);
    }),
    restartPolicy: z.enum(RESTART_POLICIES).default('Always'),
    terminationGracePeriodSeconds: rules(integer(), (value, r) => {
      if (value < 0) r.invalid([], value, 'must be greater than or equal to 0');
    }).default(DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS),
    nodeSelector: labelsMap().optional(),
    nodeName: formattedString(isDNS1123Subdomain).optional(),
    affinity: affinitySchema.optional(),
    tolerations: z.array(tolerationSchema).optional(),
    topologySpreadConstraints: z.array(topologySpreadConstraintSchema).optional(),
    priority: int32().optional(),
    priorityClassName: formattedString(isDNS1123Subdomain).optional(),
  }),
  (spec, r) => {
    const s = asRecord(spec);
    if (!s) return;
    const containers = asArray(s.containers);
    reportDuplicates(
      containers,
      (container) => asString(asRecord(container)?.name) || undefined,
      (i, name) => r.duplicate(['containers', i, 'name'], name),
    );
    const hostPorts = containers.flatMap((container, ci) =>
      asArray(asRecord(container)?.ports).map((port, pi) => ({ ci, pi, port: asRecord(port) })),
    );
    reportDuplicates(
      hostPorts,
      ({ port }) => {
        const hostPort = asNumber(port?.hostPort);
        return hostPort ? `${hostPort}/${asString(port?.protocol) ?? 'TCP'}` : undefined;
      },
      (i, key) => r.duplicate(['containers', hostPorts[i].ci, 'ports', hostPorts[i].pi, 'hostPort'], key),
    );
    const constraints = asArray(s.topologySpreadConstraints).map(asRecord);
    constraints.forEach((constraint, i) => {
      const key = asString(constraint?.topologyKey);
      const when = asString(constraint?.whenUnsatisfiable);
      if (key === undefined || when === undefined) return;
      const repeated = constraints.slice(i + 1).some((other) => other?.topologyKey === key && other?.whenUnsatisfiable === when);
      if (repeated) r.duplicate(['topologySpreadConstraints', i, '{topologyKey, whenUnsatisfiable}'], `{${key}, ${when}}`);
    });
  },
);
export type PodSpec = z.output<typeof podSpecSchema>;

export const podTemplateSpecSchema = z.object({
  metadata: orEmpty(podTemplateMetadataSchema),
  spec: orEmpty(podSpecSchema),
});
export type PodTemplateSpec = z.output<typeof podTemplateSpecSchema>;
