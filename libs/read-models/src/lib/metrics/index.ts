import { CreateMetricsTables1733100000001 } from './migrations/1733100000001-create-metrics-tables';

export * from './metrics-query.schema';
export * from './metrics.store';

/** Tables of the metrics store (outside the log). */
export const metricsMigrations = [CreateMetricsTables1733100000001];
