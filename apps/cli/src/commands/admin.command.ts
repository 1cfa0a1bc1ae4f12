import { userInfo } from 'node:os';
import { Command } from 'commander';
import { withAdminDatabase } from '../admin/admin-database';
import { BackupOptions, RestoreOptions, runBackup, runRestore } from '../admin/log-backup';
import { runState } from '../admin/state-at';
import { createToken, parseRole, revokeToken, TokenLog } from '../admin/token';
import type { CommandContext } from '../cli-context';

/** Who appears as the actor of token events: the operating-system user running the command. */
function actor(): string {
  try {
    return `berth-admin:${userInfo().username}`;
  } catch {
    return 'berth-admin';
  }
}

/** Runs `work` with the event log as the token commands need it (migrated, so a first token can come before any service). */
function withTokenLog<T>(ctx: CommandContext, work: (log: TokenLog) => Promise<T>): Promise<T> {
  return withAdminDatabase(ctx, { migrate: true }, (db) => work(db.store));
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
    .description('Control-plane host only: tokens, backup and restore, and past states, straight in the event log (needs DATABASE_URL, DATABASE_SCHEMA)');
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
  admin
    .command('backup')
    .description('Write the whole event log to a file or stdout (NDJSON with a header and a checksummed end line; gzip for *.gz or --gzip)')
    .option('-f, --file <file>', 'where to write it (default: stdout); written as FILE.partial and renamed when complete')
    .option('--gzip', 'compress (implied by a FILE ending in .gz)')
    .option('-q, --quiet', 'no progress and no summary')
    .action((options: BackupOptions) => runBackup(ctx, options));
  admin
    .command('restore')
    .description('Load a backup into an EMPTY event log (DATABASE_SCHEMA), all or nothing; then start the services against it')
    .option('-f, --file <file>', 'the backup (- reads stdin); gzip is recognised by its first bytes')
    .option('--check', 'read and verify the whole backup without touching any database')
    .option('-q, --quiet', 'no progress and no summary')
    .action((options: RestoreOptions) => runRestore(ctx, options));
  admin
    .command('state')
    .description('Print the cluster as the log said it was at a past position or time: deployments, services, HPAs, nodes, replicas')
    .option('--at <position|time>', 'a log position, or an RFC 3339 time (the last event recorded by then); default: now')
    .option('-o, --output <format>', 'json or yaml (default: tables)')
    .option('-n, --namespace <namespace>', 'only this namespace (default: all)')
    .action((options: { at?: string; output?: string; namespace?: string }, command: Command) =>
      runState(ctx, { ...options, namespace: options.namespace ?? (command.optsWithGlobals() as { namespace?: string }).namespace }),
    );
}
