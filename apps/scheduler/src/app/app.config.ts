import { z } from 'zod';
import { commonConfigShape, ConfigError, databaseConfigShape, env, loadConfig } from '@berth/config';
import { SchedulerSettings } from './runtime/scheduler.runtime';

export const SCHEDULER_CONFIG = Symbol('SCHEDULER_CONFIG');

export const schedulerConfigShape = {
  ...commonConfigShape,
  ...databaseConfigShape,
  PORT: env.port(8081),
  /** How long a lost node's replicas wait before they are replaced elsewhere. */
  NODE_LOST_GRACE_MS: env.int(0),
  /** Desired-state updates to a node within this window go out as one message. */
  DESIRED_UPDATE_COALESCE_MS: env.int(20),
  /** How often a standby copy tries to take the controller lease. */
  LEASE_RETRY_MS: env.int(1_000, 10),
  /** How often the holder checks its lease connection. */
  LEASE_CHECK_MS: env.int(2_000, 10),
  /** Every deployment is synced at least this often, even when nothing happened (a safety net). */
  RESYNC_INTERVAL_MS: env.int(60_000, 100),
  /** First wait before a replica that fitted nowhere is tried again (after a cluster change); doubles. */
  SCHEDULING_BACKOFF_INITIAL_MS: env.int(1_000, 1),
  SCHEDULING_BACKOFF_MAX_MS: env.int(30_000, 1),
  /** LeastAllocated spreads, MostAllocated packs. */
  SCORING_STRATEGY: z.enum(['LeastAllocated', 'MostAllocated']).default('LeastAllocated'),
  PREEMPTION_ENABLED: env.bool(true),
  /** Appends in flight at once (the event store group-commits them). */
  APPEND_CONCURRENCY: env.int(2_000, 1),
};

export type SchedulerConfig = ReturnType<typeof loadSchedulerConfig>;

export function loadSchedulerConfig(source: Record<string, string | undefined> = process.env) {
  const config = loadConfig(schedulerConfigShape, source);
  if (config.SCHEDULING_BACKOFF_MAX_MS < config.SCHEDULING_BACKOFF_INITIAL_MS) {
    throw new ConfigError([
      { variable: 'SCHEDULING_BACKOFF_MAX_MS', message: `must be at least SCHEDULING_BACKOFF_INITIAL_MS (${config.SCHEDULING_BACKOFF_INITIAL_MS})` },
    ]);
  }
  return config;
}

/** The runtime's settings from the validated configuration. */
export function schedulerSettings(config: SchedulerConfig): SchedulerSettings {
  return {
    nodeLostGraceMs: config.NODE_LOST_GRACE_MS,
    desiredUpdateCoalesceMs: config.DESIRED_UPDATE_COALESCE_MS,
    leaseRetryMs: config.LEASE_RETRY_MS,
    leaseCheckMs: config.LEASE_CHECK_MS,
    resyncIntervalMs: config.RESYNC_INTERVAL_MS,
    backoffInitialMs: config.SCHEDULING_BACKOFF_INITIAL_MS,
    backoffMaxMs: config.SCHEDULING_BACKOFF_MAX_MS,
    scoringStrategy: config.SCORING_STRATEGY,
    preemption: config.PREEMPTION_ENABLED,
    nominationTimeoutMs: 60_000,
    errorBackoffMs: 500,
    appendConcurrency: config.APPEND_CONCURRENCY,
  };
}
