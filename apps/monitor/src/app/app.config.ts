import { commonConfigShape, ConfigError, databaseConfigShape, env, loadConfig } from '@berth/config';

export const MONITOR_CONFIG = Symbol('MONITOR_CONFIG');

export const monitorConfigShape = {
  ...commonConfigShape,
  ...databaseConfigShape,
  PORT: env.port(8083),
  /** Run a candidate for the event relay here (one copy cluster-wide is active). */
  RELAY_ENABLED: env.bool(true),
  /** Silence after which a node is NotReady (agents heartbeat every 1 s). */
  NOT_READY_AFTER_MS: env.int(1_800, 100),
  /** Silence after which a node is Lost and its replicas are rescheduled: a dead node is lost within 3 s. */
  LOST_AFTER_MS: env.int(2_500, 200),
  LIVENESS_TICK_MS: env.int(100, 10),
  /** A tick later than this (beyond its interval) means our own event loop stalled: nobody is blamed. */
  LOOP_LAG_TOLERANCE_MS: env.int(150, 1),
  /** How often a standby copy tries to take the liveness lease. */
  LEASE_RETRY_MS: env.int(1_000, 10),
  STATS_FLUSH_MS: env.int(1_000, 10),
  STATS_BATCH_SIZE: env.int(1_000, 1),
  RETENTION_RAW_MINUTES: env.int(60, 1),
  RETENTION_ROLLUP_HOURS: env.int(168, 1),
  /** Period of the rollup + retention job. */
  ROLLUP_INTERVAL_MS: env.int(60_000, 100),
};

export type MonitorConfig = ReturnType<typeof loadMonitorConfig>;

export function loadMonitorConfig(source: Record<string, string | undefined> = process.env) {
  const config = loadConfig(monitorConfigShape, source);
  const problems: { variable: string; message: string }[] = [];
  if (config.LOST_AFTER_MS <= config.NOT_READY_AFTER_MS) {
    problems.push({ variable: 'LOST_AFTER_MS', message: `must be greater than NOT_READY_AFTER_MS (${config.NOT_READY_AFTER_MS})` });
  }
  if (config.LIVENESS_TICK_MS * 2 > config.NOT_READY_AFTER_MS) {
    problems.push({ variable: 'LIVENESS_TICK_MS', message: `must be at most half of NOT_READY_AFTER_MS (${config.NOT_READY_AFTER_MS})` });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
