import { commonConfigShape, databaseConfigShape, env, loadConfig } from '@berth/config';

export const monitorConfigShape = {
  ...commonConfigShape,
  ...databaseConfigShape,
  PORT: env.port(8083),
  /** Run a candidate for the event relay here (one copy cluster-wide is active). */
  RELAY_ENABLED: env.bool(true),
};

export type MonitorConfig = ReturnType<typeof loadMonitorConfig>;

export function loadMonitorConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(monitorConfigShape, source);
}
