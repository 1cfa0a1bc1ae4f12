import { z } from 'zod';

/**
 * The `berth.metrics.query` request (autoscaler, `berth top`) and its answer.
 * `names` are replica uids, node names or `namespace/name` of services; empty = all.
 */
export const metricsKinds = ['replica', 'node', 'service'] as const;
export const metricsAggregates = ['avg', 'max', 'p95'] as const;

export const metricsQuerySchema = z.object({
  kind: z.enum(metricsKinds),
  names: z.array(z.string().min(1).max(300)).max(5_000).default([]),
  windowSeconds: z.number().positive().max(31 * 24 * 3600).default(60),
  aggregate: z.enum(metricsAggregates).default('avg'),
});
export type MetricsQuery = z.infer<typeof metricsQuerySchema>;
export type MetricsQueryInput = z.input<typeof metricsQuerySchema>;

export const metricsItemSchema = z.object({
  name: z.string(),
  samples: z.number().int().nonnegative(),
  /** replica, node: percent of one core (200 = two cores busy). */
  cpuPercent: z.number().optional(),
  memoryBytes: z.number().optional(),
  /** service: over the whole window. */
  requestsPerSecond: z.number().optional(),
  errorRate: z.number().optional(),
  latencyMs: z.number().optional(),
});
export type MetricsItem = z.infer<typeof metricsItemSchema>;

export const metricsAnswerSchema = z.object({
  kind: z.enum(metricsKinds),
  aggregate: z.enum(metricsAggregates),
  windowSeconds: z.number(),
  /** `rollup` when the window reaches past the raw retention (1-minute averages). */
  source: z.enum(['raw', 'rollup']),
  /** Epoch ms the window ends at. */
  at: z.number(),
  items: z.array(metricsItemSchema),
});
export type MetricsAnswer = z.infer<typeof metricsAnswerSchema>;

/** An external metric sample published on `berth.metrics.external.<name>`. */
export const externalMetricSampleSchema = z.object({
  value: z.number().finite(),
  /** Series labels, matched against the HPA metric's selector. */
  labels: z.record(z.string(), z.string()).default({}),
  /** Epoch ms the value was measured at; default: when it was received. */
  timestamp: z.number().int().nonnegative().optional(),
});
export type ExternalMetricSample = z.infer<typeof externalMetricSampleSchema>;
