import type { BackupHeader, OpenedBackup } from '@berth/event-store';
import type { CommandContext } from '../cli-context';
import { CliError } from '../commands/cli.errors';
import { type EventStoreLib, loadEventStoreLib, withAdminDatabase } from './admin-database';
import { isTerminal, readBackupInput, writeBackupOutput } from './backup-file';
import { formatRate, formatSeconds, ProgressReporter } from './progress';

export interface BackupOptions {
  /** Absent or `-`: stdout. */
  file?: string;
  gzip?: boolean;
  quiet?: boolean;
}

export interface RestoreOptions {
  file?: string;
  /** Read and check the whole file, touch no database. */
  check?: boolean;
  quiet?: boolean;
}

function progressFor(ctx: CommandContext, label: string, quiet: boolean | undefined): ProgressReporter {
  return new ProgressReporter(quiet ? () => undefined : (text) => ctx.err(text), { label, tty: isTerminal(ctx.io.stderr) });
}

/** `berth admin backup`: the whole log, streamed to a file or stdout. */
export async function runBackup(ctx: CommandContext, options: BackupOptions): Promise<void> {
  const file = options.file === '-' ? undefined : options.file;
  const gzip = options.gzip === true || (file !== undefined && /\.gz$/i.test(file));
  if (file === undefined && isTerminal(ctx.io.stdout)) throw new CliError('refusing to write a backup to a terminal: give -f FILE or redirect stdout (berth admin backup > FILE)');
  await withAdminDatabase(ctx, { migrate: false }, async (db) => {
    const progress = progressFor(ctx, 'backup', options.quiet);
    const exported = await db.lib.exportEventLog(db.pool, db.schema, { database: db.database, onProgress: (written, total) => progress.update(written, total) });
    await writeBackupOutput(exported.chunks, { file, gzip }, ctx.io.stdout);
    progress.finish();
    if (options.quiet) return;
    const seconds = progress.elapsedSeconds;
    const { count, lastPosition } = exported.header;
    const summary =
      `backed up ${count} events (last position ${lastPosition}) of schema ${db.schema} to ${file ?? 'stdout'}${gzip ? ' (gzip)' : ''} ` +
      `in ${formatSeconds(seconds)} (${formatRate(count, seconds)})\n`;
    // With the backup itself on stdout, the summary must not get mixed into it.
    if (file === undefined) ctx.err(summary);
    else ctx.out(summary);
  });
}

async function openChecked(ctx: CommandContext, file: string): Promise<OpenedBackup> {
  const lib = await loadEventStoreLib();
  const input = await readBackupInput(file, ctx.io.stdin);
  let backup: OpenedBackup;
  try {
    backup = await lib.openBackup(input);
  } catch (error) {
    throw explain(error, file, lib);
  }
  if (!lib.isKnownLogSchema(backup.header.logSchema)) {
    const known = lib.knownLogSchemas();
    throw new CliError(
      `the backup ${file} was made from event-log schema ${backup.header.logSchema}, which this berth does not know (it knows up to ${known[known.length - 1]}): restore it with the Berth version that made it, or a newer one`,
    );
  }
  return backup;
}

function explain(error: unknown, file: string, lib: EventStoreLib): unknown {
  if (error instanceof lib.InvalidBackup) return new CliError(`invalid backup ${file}: ${error.message}; nothing was restored`);
  if (error instanceof lib.EventLogNotEmpty) return new CliError(`${error.message}; nothing was restored`);
  return error;
}

function describeHeader(header: BackupHeader): string {
  const from = `${header.source.database ? `${header.source.database}, ` : ''}schema ${header.source.schema}`;
  return `${header.count} events up to position ${header.lastPosition}, made ${header.createdAt} from ${from}`;
}

/** `berth admin restore`: a backup into an empty log, all or nothing. */
export async function runRestore(ctx: CommandContext, options: RestoreOptions): Promise<void> {
  if (options.file === undefined) throw new CliError('-f/--file is required: the backup to restore (- reads stdin)');
  const file = options.file;
  const backup = await openChecked(ctx, file);
  try {
    await restoreOpened(ctx, backup, file, options);
  } finally {
    await backup.close();
  }
}

async function restoreOpened(ctx: CommandContext, backup: OpenedBackup, file: string, options: RestoreOptions): Promise<void> {
  const progress = progressFor(ctx, options.check ? 'check' : 'restore', options.quiet);
  const lib = await loadEventStoreLib();
  if (options.check) {
    let count = 0;
    try {
      for await (const batch of backup.batches) {
        count += batch.length;
        progress.update(count, backup.header.count);
      }
    } catch (error) {
      throw explain(error, file, lib);
    }
    progress.finish();
    ctx.out(`backup ${file} is complete and intact: ${describeHeader(backup.header)}\n`);
    return;
  }
  await withAdminDatabase(ctx, { migrate: true }, async (db) => {
    let result;
    try {
      result = await db.lib.importEvents(db.pool, db.schema, backup.batches, {
        expect: { count: backup.header.count, lastPosition: backup.header.lastPosition },
        onProgress: (imported) => progress.update(imported, backup.header.count),
      });
    } catch (error) {
      throw explain(error, file, lib);
    }
    progress.finish();
    if (options.quiet) return;
    const seconds = progress.elapsedSeconds;
    ctx.out(
      `restored ${result.count} events (last position ${result.lastPosition}) into schema ${db.schema} in ${formatSeconds(seconds)} (${formatRate(result.count, seconds)}); ` +
        `backup: ${describeHeader(backup.header)}\n`,
    );
    ctx.err('Start the services against this schema: they rebuild their read models, schedules and the nodes\' desired state from the log.\n');
  });
}
