import { commonConfigShape, databaseConfigShape, env, loadConfig } from '@berth/config';

export const gatewayConfigShape = {
  ...commonConfigShape,
  ...databaseConfigShape,
  PORT: env.port(8080),
  /** Run a candidate for the event relay here (one copy cluster-wide is active). */
  RELAY_ENABLED: env.bool(true),
};

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(gatewayConfigShape, source);
}
