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
};

/** The variables every Berth service shares. */
export const commonConfigShape = {
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  NATS_USER: z.string().optional(),
  NATS_PASSWORD: z.string().optional(),
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

/** The settings every control-plane service derives from its validated environment. */
export function controlPlaneSettings(
  service: string,
  config: z.infer<z.ZodObject<typeof commonConfigShape>> & z.infer<z.ZodObject<typeof databaseConfigShape>>,
  relay: boolean,
) {
  return {
    service,
    logLevel: config.LOG_LEVEL,
    nats: { url: config.NATS_URL, name: service, user: config.NATS_USER, password: config.NATS_PASSWORD },
    database: { url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, poolSize: config.DATABASE_POOL_SIZE },
    relay,
  };
}
