import type { Status } from '@berth/contracts';
import { Command } from 'commander';
import { ApiError } from '../client/api.errors';
import type { ApplyResultItem } from '../client/api.types';
import type { CommandContext } from '../cli-context';
import { ParsedSource, parseSource, readManifestSources } from '../manifests/manifest-sources';
import { kindOfObject, qualifiedName } from '../resources/resource-kinds';
import { CliError, ReportedFailure } from './cli.errors';

interface ApplyOptions {
  filename?: string[];
  dryRun?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `deployment.apps/web` for an apply result item (kinds Berth does not know keep their own name). */
export function applyItemName(item: Pick<ApplyResultItem, 'kind' | 'apiVersion' | 'name'>): string {
  const known = item.kind ? kindOfObject(item.kind) : undefined;
  const group = item.apiVersion?.includes('/') ? item.apiVersion.split('/')[0] : '';
  const type = known ? qualifiedName(known) : `${(item.kind ?? 'object').toLowerCase()}${group ? `.${group}` : ''}`;
  return `${type}/${item.name ?? '<unnamed>'}`;
}

/** kubectl's per-object error, with each bad field on its own line when there are several. */
export function formatApplyError(status: Status, source: string): string {
  const reason = status.reason ? ` (${status.reason})` : '';
  const lines = [`Error from server${reason}: error when applying "${source}": ${status.message}`];
  const causes = status.details?.causes ?? [];
  if (causes.length > 1) {
    for (const cause of causes) {
      const text = cause.field && !cause.message.startsWith(cause.field) ? `${cause.field}: ${cause.message}` : cause.message;
      lines.push(`  * ${text}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** One output line per applied object, like kubectl: `deployment.apps/web created`. */
export function formatApplyItem(item: ApplyResultItem, dryRun: boolean): string {
  return `${applyItemName(item)} ${item.action}${dryRun ? ' (server dry run)' : ''}\n`;
}

async function runApply(ctx: CommandContext, options: ApplyOptions): Promise<void> {
  const files = options.filename ?? [];
  if (files.length === 0) throw new CliError('must specify one of -f and -k (only -f is supported): berth apply -f <file|folder|->');
  const dryRun = parseDryRun(options.dryRun);
  const sources = await readManifestSources(files, ctx.io.cwd, () => ctx.readStdin());
  const parsed = sources.map(parseSource);
  const broken = parsed.filter((p) => p.errors.length > 0);
  if (broken.length > 0) {
    // Nothing is sent when any input is malformed: a half-applied folder is worse than none.
    for (const p of broken) for (const error of p.errors) ctx.err(`error: error parsing ${p.source.name}: ${error}\n`);
    throw new ReportedFailure();
  }
  const toApply = parsed.filter((p) => p.objects.length > 0);
  if (toApply.length === 0) throw new CliError('no objects passed to apply');

  const client = await ctx.client();
  const namespace = await ctx.namespace();
  let failed = false;
  for (const p of toApply) failed = !(await applySource(ctx, p, namespace, dryRun, client)) || failed;
  if (failed) throw new ReportedFailure();
}

async function applySource(
  ctx: CommandContext,
  parsed: ParsedSource,
  namespace: string,
  dryRun: boolean,
  client: Awaited<ReturnType<CommandContext['client']>>,
): Promise<boolean> {
  const { source } = parsed;
  let ok = true;
  try {
    const result = await client.apply(source.text, { contentType: source.contentType, namespace, dryRun });
    for (const item of result.items) {
      for (const warning of item.warnings ?? []) ctx.err(`Warning: ${warning}\n`);
      if (item.action === 'failed') {
        ok = false;
        const status = item.status ?? { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `${applyItemName(item)} failed`, code: 500 };
        ctx.err(formatApplyError(status as Status, source.name));
      } else {
        ctx.out(formatApplyItem(item, dryRun));
      }
    }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    ctx.err(formatApplyError(error.status, source.name));
    ok = false;
  }
  return ok;
}

function parseDryRun(value: string | undefined): boolean {
  if (value === undefined || value === 'none') return false;
  if (value === 'server') return true;
  throw new CliError(`invalid --dry-run "${value}": only "server" and "none" are supported (the server is the one that validates)`);
}

export function registerApplyCommand(program: Command, ctx: CommandContext): void {
  program
    .command('apply')
    .description('Create or update objects from files, folders (recursively) or stdin, like kubectl apply')
    .option('-f, --filename <path>', 'file, folder (*.yaml, *.yml, *.json, recursively) or - for stdin; repeatable', collect)
    .option('--dry-run <strategy>', '"server": validate and report without changing anything')
    .action((options: ApplyOptions) => runApply(ctx, options));
}
