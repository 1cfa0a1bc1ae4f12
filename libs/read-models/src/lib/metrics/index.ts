import { CreateMetricsTables1733100000001 } from './migrations/1733100000001-create-metrics-tables';

// The payloads live in @berth/contracts; re-exported while callers move over.
export { metricsQuerySchema, metricsAnswerSchema, metricsItemSchema, metricsKinds, metricsAggregates } from '@berth/contracts';
export type { MetricsQuery, MetricsQueryInput, MetricsItem, MetricsAnswer } from '@berth/contracts';
export * from './metrics.store';

/** Tables of the metrics store (outside the log). */
export const metricsMigrations = [CreateMetricsTables1733100000001];
