import { commonConfigShape, databaseConfigShape, env, loadConfig } from '@berth/config';

export const schedulerConfigShape = {
  ...commonConfigShape,
  ...databaseConfigShape,
  PORT: env.port(8081),

};

export type SchedulerConfig = ReturnType<typeof loadSchedulerConfig>;

export function loadSchedulerConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(schedulerConfigShape, source);
}
