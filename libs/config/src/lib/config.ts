import { accessSync, constants, statSync } from 'node:fs';
import { z } from 'zod';

/** A bad or missing environment variable: the process must not start. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`);
  }
}

/**
 * Validates the environment once at start-up against a schema whose keys are the
 * variable names, and returns one typed object. Every bad variable is named.
 */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<S>> {
  const subset: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    subset[key] = value === '' ? undefined : value;
  }
  const result = z.object(shape).safeParse(subset);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? '?'), message: issue.message })),
    );
  }
  const unpaired = unpairedCertificates(result.data);
  if (unpaired.length > 0) throw new ConfigError(unpaired);
  return result.data;
}

/** Building blocks for config shapes. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback),
  number: (fallback: number, min = 0) => z.coerce.number().min(min).default(fallback),
  string: (fallback: string) => z.string().min(1).default(fallback),
  url: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .refine((v) => {
        try {
          new URL(v);
          return true;
        } catch {
          return false;
        }
      }, 'must be a URL'),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  /** An optional path to a file that must exist and be readable when set. */
  file: () =>
    z
      .string()
      .optional()
      .refine((path) => path === undefined || readable(path), 'must be a readable file'),
};

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `X_CERT_FILE` and `X_KEY_FILE` of one shape go together: a certificate without its key is a mistake. */
function unpairedCertificates(config: Record<string, unknown>): { variable: string; message: string }[] {
  const problems: { variable: string; message: string }[] = [];
  for (const cert of Object.keys(config).filter((key) => key.endsWith('_CERT_FILE'))) {
    const key = `${cert.slice(0, -'_CERT_FILE'.length)}_KEY_FILE`;
    if (!(key in config) || Boolean(config[cert]) === Boolean(config[key])) continue;
    const [missing, present] = config[cert] ? [key, cert] : [cert, key];
    problems.push({ variable: missing, message: `must be set together with ${present}` });
  }
  return problems;
}

/** The variables every Berth service shares. */
export const commonConfigShape = {
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  NATS_USER: z.string().optional(),
  NATS_PASSWORD: z.string().optional(),
  /** TLS to NATS: the CA that signed the server's certificate; any NATS_TLS_* turns TLS on. */
  NATS_TLS_CA_FILE: env.file(),
  /** A client certificate and key, for a server that verifies clients (both or neither). */
  NATS_TLS_CERT_FILE: env.file(),
  NATS_TLS_KEY_FILE: env.file(),
  LOG_LEVEL: env.logLevel(),
};

/** The variables of every service that reads or writes the event log. */
export const databaseConfigShape = {
  DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/berth'),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier')
    .default('berth'),
  DATABASE_POOL_SIZE: env.int(10, 1),
};

export type CommonConfig = z.infer<z.ZodObject<typeof commonConfigShape>>;

/** The NATS client settings (what connectNats and natsTransportOptions take) from the common variables. */
export function natsSettings(config: CommonConfig, name: string) {
  const tls = {
    ...(config.NATS_TLS_CA_FILE ? { caFile: config.NATS_TLS_CA_FILE } : {}),
    ...(config.NATS_TLS_CERT_FILE ? { certFile: config.NATS_TLS_CERT_FILE } : {}),
    ...(config.NATS_TLS_KEY_FILE ? { keyFile: config.NATS_TLS_KEY_FILE } : {}),
  };
  return {
    url: config.NATS_URL,
    name,
    user: config.NATS_USER,
    password: config.NATS_PASSWORD,
    ...(Object.keys(tls).length > 0 ? { tls } : {}),
  };
}

/** The settings every control-plane service derives from its validated environment. */
export function controlPlaneSettings(
  service: string,
  config: CommonConfig & z.infer<z.ZodObject<typeof databaseConfigShape>>,
  relay: boolean,
) {
  return {
    service,
    logLevel: config.LOG_LEVEL,
    nats: natsSettings(config, service),
    database: { url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, poolSize: config.DATABASE_POOL_SIZE },
    relay,
  };
}
