import { userInfo } from 'node:os';
import { ConfigError, databaseConfigShape, loadConfig } from '@berth/config';
import { Command } from 'commander';
import { createToken, parseRole, revokeToken, TokenLog } from '../admin/token';
import type { CommandContext } from '../cli-context';
import { CliError } from './cli.errors';

/** Who appears as the actor of token events: the operating-system user running the command. */
function actor(): string {
  try {
    return `berth-admin:${userInfo().username}`;
  } catch {
    return 'berth-admin';
  }
}

/**
 * Opens the event log from DATABASE_URL / DATABASE_SCHEMA (migrating it if needed, so a first
 * token can be made before any service has started), runs `work`, and closes the pool.
 */
async function withTokenLog<T>(ctx: CommandContext, work: (log: TokenLog) => Promise<T>): Promise<T> {
  let config;
  try {
    config = loadConfig(databaseConfigShape, ctx.io.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  // Loaded on demand: only admin commands need Postgres, and only on the control-plane host.
  const { createPool, EventStore, runMigrations } = await import('@berth/event-store');
  const options = { url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, poolSize: 2, applicationName: 'berth-admin' };
  try {
    await runMigrations(options);
  } catch (error) {
    throw new CliError(`cannot open the event log at ${redactUrl(config.DATABASE_URL)} (schema ${config.DATABASE_SCHEMA}): ${(error as Error).message}`);
  }
  const pool = createPool(options);
  try {
    return await work(new EventStore(pool, config.DATABASE_SCHEMA));
  } finally {
    await pool.end();
  }
}

/** A database URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}

interface CreateOptions {
  role?: string;
  namespace?: string;
  name?: string;
  quiet?: boolean;
}

async function runCreate(ctx: CommandContext, command: Command, options: CreateOptions): Promise<void> {
  const role = parseRole(options.role);
  // -n/--namespace is also the global option: commander hands it to whichever command it sees last.
  const namespace = options.namespace ?? (command.optsWithGlobals() as { namespace?: string }).namespace;
  const created = await withTokenLog(ctx, (log) => createToken(log, { role, namespace, id: options.name }, actor()));
  if (options.quiet) {
    ctx.out(`${created.token}\n`);
    return;
  }
  ctx.out(`id:        ${created.id}\nrole:      ${created.role}\nnamespace: ${created.namespace ?? '<all> (cluster-wide)'}\ntoken:     ${created.token}\n`);
  ctx.err(`The token is shown only this once: store it now (berth config set token -, or BERTH_TOKEN). Revoke it with: berth admin revoke-token ${created.id}\n`);
}

async function runRevoke(ctx: CommandContext, id: string): Promise<void> {
  await withTokenLog(ctx, (log) => revokeToken(log, id, actor()));
  ctx.out(`token ${id} revoked\n`);
}

export function registerAdminCommand(program: Command, ctx: CommandContext): void {
  const admin = program
    .command('admin')
    .description('Control-plane host only: manage API tokens directly in the event log (needs DATABASE_URL, DATABASE_SCHEMA)');
  admin
    .command('create-token')
    .description('Create an API token and print it once')
    .option('--role <role>', 'admin | edit | view')
    .option('-n, --namespace <namespace>', 'limit the token to one namespace (default: cluster-wide)')
    .option('--name <id>', 'the token id (a DNS label) instead of a random one')
    .option('-q, --quiet', 'print only the token')
    .action((options: CreateOptions, command: Command) => runCreate(ctx, command, options));
  admin
    .command('revoke-token')
    .description('Revoke a token by its id')
    .argument('<id>')
    .action((id: string) => runRevoke(ctx, id));
}
