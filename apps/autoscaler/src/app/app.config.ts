import { commonConfigShape, ConfigError, databaseConfigShape, env, loadConfig } from '@berth/config';
import { AutoscalerSettings } from './runtime/autoscaler.runtime';

export const AUTOSCALER_CONFIG = Symbol('AUTOSCALER_CONFIG');

export const autoscalerConfigShape = {
  ...commonConfigShape,
  ...databaseConfigShape,
  PORT: env.port(8082),
  /** Every HPA is evaluated this often (the HPA controller's --horizontal-pod-autoscaler-sync-period). */
  SYNC_PERIOD_MS: env.int(5_000, 50),
  /** Replica/service metrics are averaged over this window; default two sync periods. */
  METRICS_WINDOW_MS: env.int(0),
  /** How long to wait for the monitor's answer to a metrics query. */
  METRICS_TIMEOUT_MS: env.int(2_000, 10),
  /** An external metric value older than this is treated as missing. */
  EXTERNAL_METRIC_MAX_AGE_MS: env.int(60_000, 1),
  /** --horizontal-pod-autoscaler-tolerance. */
  TOLERANCE: env.number(0.1),
  CPU_INITIALIZATION_PERIOD_SECONDS: env.int(300),
  INITIAL_READINESS_DELAY_SECONDS: env.int(30),
  /** How often a standby copy tries to take the lease, and how often the holder checks it. */
  LEASE_RETRY_MS: env.int(1_000, 10),
  LEASE_CHECK_MS: env.int(2_000, 10),
};

export type AutoscalerConfig = ReturnType<typeof loadAutoscalerConfig>;

export function loadAutoscalerConfig(source: Record<string, string | undefined> = process.env) {
  const config = loadConfig(autoscalerConfigShape, source);
  if (config.TOLERANCE >= 1) throw new ConfigError([{ variable: 'TOLERANCE', message: 'must be below 1 (0.1 = 10%)' }]);
  return config;
}

/** The runtime's settings from the validated configuration. */
export function autoscalerSettings(config: AutoscalerConfig): AutoscalerSettings {
  return {
    syncPeriodMs: config.SYNC_PERIOD_MS,
    metricsWindowMs: config.METRICS_WINDOW_MS || 2 * config.SYNC_PERIOD_MS,
    metricsTimeoutMs: config.METRICS_TIMEOUT_MS,
    externalMetricMaxAgeMs: config.EXTERNAL_METRIC_MAX_AGE_MS,
    leaseRetryMs: config.LEASE_RETRY_MS,
    leaseCheckMs: config.LEASE_CHECK_MS,
    hpa: {
      tolerance: config.TOLERANCE,
      cpuInitializationPeriodSeconds: config.CPU_INITIALIZATION_PERIOD_SECONDS,
      initialReadinessDelaySeconds: config.INITIAL_READINESS_DELAY_SECONDS,
    },
  };
}
