import { commonConfigShape, databaseConfigShape, env, loadConfig } from '@berth/config';

export const autoscalerConfigShape = {
  ...commonConfigShape,
  ...databaseConfigShape,
  PORT: env.port(8082),

};

export type AutoscalerConfig = ReturnType<typeof loadAutoscalerConfig>;

export function loadAutoscalerConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(autoscalerConfigShape, source);
}
