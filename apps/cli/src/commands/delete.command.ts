import { Command } from 'commander';
import type { ApiClient } from '../client/api.client';
import { ApiError } from '../client/api.errors';
import type { CommandContext } from '../cli-context';
import { parseSource, readManifestSources } from '../manifests/manifest-sources';
import { formatError } from '../output/error.format';
import { parseResourceArgs } from '../resources/resource-args';
import { kindOfObject, qualifiedName, ResourceKind } from '../resources/resource-kinds';
import { CliError, ReportedFailure } from './cli.errors';

interface DeleteOptions {
  filename?: string[];
  selector?: string;
  all?: boolean;
  ignoreNotFound?: boolean;
}

interface Target {
  kind: ResourceKind;
  namespace: string;
  name: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The objects named in manifests: kind, namespace (or the current one) and name. */
async function targetsFromFiles(ctx: CommandContext, files: readonly string[], namespace: string): Promise<Target[]> {
  const parsed = (await readManifestSources(files, ctx.io.cwd, () => ctx.readStdin())).map(parseSource);
  const problems = parsed.flatMap((p) => p.errors.map((e) => `error parsing ${p.source.name}: ${e}`));
  const targets: Target[] = [];
  for (const p of parsed) {
    for (const object of p.objects) {
      const kindName = typeof object.kind === 'string' ? object.kind : '';
      const metadata = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
      const kind = kindOfObject(kindName);
      if (!kind) problems.push(`${p.source.name}: the server doesn't have a resource type "${kindName}"`);
      else if (typeof metadata.name !== 'string' || metadata.name === '') problems.push(`${p.source.name}: a ${kindName} without metadata.name cannot be deleted`);
      else targets.push({ kind, name: metadata.name, namespace: typeof metadata.namespace === 'string' && metadata.namespace ? metadata.namespace : namespace });
    }
  }
  if (problems.length > 0) throw new CliError(problems.join('\nerror: '));
  return targets;
}

async function targetsFromArgs(client: ApiClient, args: readonly string[], namespace: string, options: DeleteOptions): Promise<Target[]> {
  const requests = parseResourceArgs(args);
  const targets: Target[] = [];
  for (const { kind, names } of requests) {
    if (names.length > 0) {
      if (options.selector || options.all) throw new CliError('names cannot be combined with --selector or --all');
      targets.push(...names.map((name) => ({ kind, namespace, name })));
      continue;
    }
    if (!options.selector && !options.all) {
      throw new CliError(`resource(s) were provided, but no name was specified: name them, or use -l <selector> or --all`);
    }
    const list = await client.list(kind, { namespace: kind.namespaced ? namespace : undefined, labelSelector: options.selector });
    targets.push(...list.items.map((o) => ({ kind, namespace: o.metadata?.namespace ?? namespace, name: o.metadata?.name ?? '' })));
  }
  return targets;
}

async function runDelete(ctx: CommandContext, args: string[], options: DeleteOptions): Promise<void> {
  const files = options.filename ?? [];
  if (files.length > 0 && args.length > 0) throw new CliError('give either -f or resources to delete, not both');
  if (files.length === 0 && args.length === 0) throw new CliError('you must provide one or more resources by argument or filename (-f)');
  const namespace = await ctx.namespace();
  const client = await ctx.client();
  const targets = files.length > 0 ? await targetsFromFiles(ctx, files, namespace) : await targetsFromArgs(client, args, namespace, options);
  if (targets.length === 0) {
    ctx.err(`No resources found\n`);
    return;
  }
  let failed = false;
  for (const target of targets) {
    try {
      await client.remove(target.kind, target.namespace, target.name);
      ctx.out(`${qualifiedName(target.kind)} "${target.name}" deleted\n`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.code === 404 && options.ignoreNotFound) continue;
      ctx.err(`${formatError(error, ctx.hasToken)}\n`);
      failed = true;
    }
  }
  if (failed) throw new ReportedFailure();
}

export function registerDeleteCommand(program: Command, ctx: CommandContext): void {
  program
    .command('delete')
    .description('Delete objects by TYPE NAME, TYPE/NAME, label selector or manifest file')
    .argument('[resource...]', 'TYPE NAME... | TYPE/NAME...')
    .option('-f, --filename <path>', 'delete the objects in a file, folder or - (stdin); repeatable', collect)
    .option('-l, --selector <selector>', 'delete every object of the type matching the selector')
    .option('--all', 'delete every object of the type in the namespace')
    .option('--ignore-not-found', 'treat objects that do not exist as deleted')
    .action((args: string[], options: DeleteOptions) => runDelete(ctx, args, options));
}
