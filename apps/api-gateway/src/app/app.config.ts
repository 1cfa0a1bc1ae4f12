import { z } from 'zod';
import { commonConfigShape, databaseConfigShape, env, loadConfig } from '@berth/config';

const MiB = 1024 * 1024;

export const gatewayConfigShape = {
  ...commonConfigShape,
  ...databaseConfigShape,
  PORT: env.port(8080),
  /** Both set: the API is served over HTTPS with this certificate (PEM, the chain after the leaf) and key. */
  TLS_CERT_FILE: env.file(),
  TLS_KEY_FILE: env.file(),
  /** Run a candidate for the event relay here (one copy cluster-wide is active). */
  RELAY_ENABLED: env.bool(true),
  /** Local development only: requests without a token act as `anonymous` with the admin role. */
  ANONYMOUS: env.bool(false),
  /** Largest request body accepted (Kubernetes' limit is 3 MiB); larger ones get 413. */
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(64 * MiB).default(3 * MiB),
  /** A watch sends a BOOKMARK after this long without changes. */
  WATCH_BOOKMARK_SECONDS: env.number(30, 0.05),
  /** Watches can resume from this many log positions back; older ones get 410 Gone. */
  WATCH_HISTORY_POSITIONS: env.int(100_000, 10),
  /** How long a request waits for the read model to show its own write. */
  READ_WAIT_MS: env.int(10_000, 100),
  /** How long `top` waits for the monitor's answer before 503. */
  METRICS_TIMEOUT_MS: env.int(2_000, 50),
  /** How long a logs request waits for the node's first chunk before 503. */
  LOGS_TIMEOUT_MS: env.int(5_000, 50),
};

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

/** The validated configuration, injectable everywhere. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export function loadGatewayConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(gatewayConfigShape, source);
}
