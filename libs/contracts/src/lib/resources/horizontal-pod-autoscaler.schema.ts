import { z } from 'zod';
import { labelSelectorSchema } from './label-selector.schema';
import { isDNS1123Subdomain, isValidPathSegmentName } from './name-validation.util';
import { namespacedObjectMetaSchema } from './object-meta.schema';
import {
  asRecord,
  CONDITION_STATUSES,
  crossRules,
  FieldReporter,
  int32,
  integer,
  nonNegativeInt,
  orEmpty,
  positiveInt,
  positiveQuantity,
  quantity,
  requiredString,
  timestamp,
} from './schema-kit.util';

export const METRIC_SOURCE_TYPES = ['Resource', 'Pods', 'Object', 'External'] as const;
export type MetricSourceType = (typeof METRIC_SOURCE_TYPES)[number];
export const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
export const MAX_SCALING_PERIOD_SECONDS = 1800;

export const crossVersionObjectReferenceSchema = z.object({
  apiVersion: z.string().optional(),
  kind: requiredString(isValidPathSegmentName),
  name: requiredString(isValidPathSegmentName),
});
export type CrossVersionObjectReference = z.output<typeof crossVersionObjectReferenceSchema>;

export const metricTargetSchema = z.object({
  type: z.enum(['Utilization', 'Value', 'AverageValue']),
  value: positiveQuantity().optional(),
  averageValue: positiveQuantity().optional(),
  averageUtilization: positiveInt().optional(),
});
export type MetricTarget = z.output<typeof metricTargetSchema>;

export const metricIdentifierSchema = z.object({
  name: requiredString(),
  selector: labelSelectorSchema.optional(),
});
export type MetricIdentifier = z.output<typeof metricIdentifierSchema>;

const targetOf = (source: unknown): Record<string, unknown> => asRecord(asRecord(source)?.target) ?? {};

export const resourceMetricSourceSchema = crossRules(
  z.object({ name: requiredString(), target: metricTargetSchema }),
  (source, r) => {
    const target = targetOf(source);
    if (target.averageUtilization === undefined && target.averageValue === undefined) {
      r.required(['target', 'averageUtilization'], 'must set either a target raw value or a target utilization');
    }
    if (target.averageUtilization !== undefined && target.averageValue !== undefined) {
      r.forbidden(['target', 'averageValue'], 'may not set both a target raw value and a target utilization');
    }
  },
);
export type ResourceMetricSource = z.output<typeof resourceMetricSourceSchema>;

export const podsMetricSourceSchema = crossRules(
  z.object({ metric: metricIdentifierSchema, target: metricTargetSchema }),
  (source, r) => {
    if (targetOf(source).averageValue === undefined) r.required(['target', 'averageValue'], 'must specify a positive target averageValue');
  },
);
export type PodsMetricSource = z.output<typeof podsMetricSourceSchema>;

export const objectMetricSourceSchema = crossRules(
  z.object({ describedObject: crossVersionObjectReferenceSchema, metric: metricIdentifierSchema, target: metricTargetSchema }),
  (source, r) => {
    const target = targetOf(source);
    if (target.value === undefined && target.averageValue === undefined) {
      r.required(['target', 'averageValue'], 'must set either a target value or averageValue');
    }
  },
);
export type ObjectMetricSource = z.output<typeof objectMetricSourceSchema>;

export const externalMetricSourceSchema = crossRules(
  z.object({ metric: metricIdentifierSchema, target: metricTargetSchema }),
  (source, r) => {
    const target = targetOf(source);
    if (target.value === undefined && target.averageValue === undefined) {
      r.required(['target', 'averageValue'], 'must set either a target value for metric or a per-pod target');
    }
    if (target.value !== undefined && target.averageValue !== undefined) {
      r.forbidden(['target', 'value'], 'may not set both a target value for metric and a per-pod target');
    }
  },
);
export type ExternalMetricSource = z.output<typeof externalMetricSourceSchema>;

const SOURCE_FIELD: Record<MetricSourceType, 'resource' | 'pods' | 'object' | 'external'> = {
  Resource: 'resource',
  Pods: 'pods',
  Object: 'object',
  External: 'external',
};

export const metricSpecSchema = crossRules(
  z.object({
    type: z.enum(METRIC_SOURCE_TYPES),
    resource: resourceMetricSourceSchema.optional(),
    pods: podsMetricSourceSchema.optional(),
    object: objectMetricSourceSchema.optional(),
    external: externalMetricSourceSchema.optional(),
  }),
  (metric, r) => {
    const m = asRecord(metric);
    if (!m) return;
    const expected = (METRIC_SOURCE_TYPES as readonly unknown[]).includes(m.type) ? SOURCE_FIELD[m.type as MetricSourceType] : undefined;
    if (expected && m[expected] === undefined) r.required([expected], 'must populate information for the given metric source');
    for (const field of Object.values(SOURCE_FIELD)) {
      if (field !== expected && m[field] !== undefined && expected) r.forbidden([field], 'must populate the given metric source only');
    }
  },
);
export type MetricSpec = z.output<typeof metricSpecSchema>;

export const hpaScalingPolicySchema = z.object({
  type: z.enum(['Pods', 'Percent']),
  value: positiveInt('must be greater than zero'),
  periodSeconds: int32((value, r) => {
    if (value <= 0) r.invalid([], value, 'must be greater than zero');
    else if (value > MAX_SCALING_PERIOD_SECONDS) r.invalid([], value, `must be less than or equal to ${MAX_SCALING_PERIOD_SECONDS}`);
  }),
});
export type HPAScalingPolicy = z.output<typeof hpaScalingPolicySchema>;

export const SELECT_POLICIES = ['Max', 'Min', 'Disabled'] as const;

export const hpaScalingRulesSchema = z.object({
  stabilizationWindowSeconds: int32((value, r: FieldReporter) => {
    if (value < 0) r.invalid([], value, 'must be greater than or equal to zero');
    else if (value > MAX_STABILIZATION_WINDOW_SECONDS) r.invalid([], value, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`);
  }).optional(),
  selectPolicy: z.enum(SELECT_POLICIES).optional(),
  policies: z.array(hpaScalingPolicySchema).optional(),
});

export interface HPAScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: (typeof SELECT_POLICIES)[number];
  policies: HPAScalingPolicy[];
}

/** The Kubernetes HPA controller defaults (autoscaling/v2 SetDefaults). */
export const DEFAULT_SCALE_UP: HPAScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
export const DEFAULT_SCALE_DOWN: HPAScalingRules = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};
export const DEFAULT_CPU_UTILIZATION = 80;

function withDefaults(rules: z.output<typeof hpaScalingRulesSchema> | undefined, defaults: HPAScalingRules): HPAScalingRules {
  return {
    stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
    selectPolicy: rules?.selectPolicy ?? defaults.selectPolicy,
    policies: rules?.policies?.length ? rules.policies : defaults.policies.map((policy) => ({ ...policy })),
  };
}

/** Always filled with the controller defaults, so the autoscaler never needs to know them. */
export const hpaBehaviorSchema = z
  .object({ scaleUp: hpaScalingRulesSchema.optional(), scaleDown: hpaScalingRulesSchema.optional() })
  .transform((behavior) => ({
    scaleUp: withDefaults(behavior.scaleUp, DEFAULT_SCALE_UP),
    scaleDown: withDefaults(behavior.scaleDown, DEFAULT_SCALE_DOWN),
  }));
export type HPABehavior = z.output<typeof hpaBehaviorSchema>;

export const horizontalPodAutoscalerSpecSchema = crossRules(
  z.object({
    scaleTargetRef: crossVersionObjectReferenceSchema,
    minReplicas: int32((value, r) => {
      if (value < 1) r.invalid([], value, 'must be greater than or equal to 1');
    }).default(1),
    maxReplicas: int32((value, r) => {
      if (value < 1) r.invalid([], value, 'must be greater than 0');
    }),
    metrics: z
      .array(metricSpecSchema)
      .optional()
      .transform(
        (metrics): MetricSpec[] =>
          metrics?.length
            ? metrics
            : [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }],
      ),
    behavior: orEmpty(hpaBehaviorSchema),
  }),
  (spec, r) => {
    const s = asRecord(spec);
    if (typeof s?.minReplicas === 'number' && typeof s.maxReplicas === 'number' && s.maxReplicas < s.minReplicas) {
      r.invalid(['maxReplicas'], s.maxReplicas, 'must be greater than or equal to `minReplicas`');
    }
  },
);
export type HorizontalPodAutoscalerSpec = z.output<typeof horizontalPodAutoscalerSpecSchema>;

const metricValueStatusSchema = z.object({
  value: quantity().optional(),
  averageValue: quantity().optional(),
  averageUtilization: integer().optional(),
});

export const metricStatusSchema = z.object({
  type: z.enum(METRIC_SOURCE_TYPES),
  resource: z.object({ name: z.string(), current: metricValueStatusSchema }).optional(),
  pods: z.object({ metric: metricIdentifierSchema, current: metricValueStatusSchema }).optional(),
  object: z
    .object({ describedObject: crossVersionObjectReferenceSchema, metric: metricIdentifierSchema, current: metricValueStatusSchema })
    .optional(),
  external: z.object({ metric: metricIdentifierSchema, current: metricValueStatusSchema }).optional(),
});
export type MetricStatus = z.output<typeof metricStatusSchema>;

export const horizontalPodAutoscalerConditionSchema = z.object({
  type: z.string(),
  status: z.enum(CONDITION_STATUSES),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: timestamp().optional(),
});

export const horizontalPodAutoscalerStatusSchema = z.object({
  observedGeneration: integer().optional(),
  lastScaleTime: timestamp().optional(),
  currentReplicas: nonNegativeInt().optional(),
  desiredReplicas: nonNegativeInt().optional(),
  currentMetrics: z.array(metricStatusSchema).optional(),
  conditions: z.array(horizontalPodAutoscalerConditionSchema).optional(),
});
export type HorizontalPodAutoscalerStatus = z.output<typeof horizontalPodAutoscalerStatusSchema>;

export const horizontalPodAutoscalerSchema = z.object({
  apiVersion: z.literal('autoscaling/v2'),
  kind: z.literal('HorizontalPodAutoscaler'),
  metadata: orEmpty(namespacedObjectMetaSchema(isDNS1123Subdomain)),
  spec: orEmpty(horizontalPodAutoscalerSpecSchema),
  status: horizontalPodAutoscalerStatusSchema.optional(),
});
export type HorizontalPodAutoscaler = z.output<typeof horizontalPodAutoscalerSchema>;
export type HorizontalPodAutoscalerInput = z.input<typeof horizontalPodAutoscalerSchema>;
