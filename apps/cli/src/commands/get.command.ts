import { Command } from 'commander';
import type { ApiClient } from '../client/api.client';
import { ApiError } from '../client/api.errors';
import type { KubeObject, WatchEvent } from '../client/api.types';
import type { CommandContext } from '../cli-context';
import { formatError } from '../output/error.format';
import { asList, objectName, OutputFormat, toJson, toYaml } from '../output/object.format';
import { TablePrinter } from '../output/table.printer';
import { parseResourceArgs, ResourceRequest } from '../resources/resource-args';
import type { ResourceKind } from '../resources/resource-kinds';
import { CliError, ReportedFailure } from './cli.errors';
import { parseOutputFormat } from './output-format';
import { followWatch } from './watch.util';

export interface GetOptions {
  allNamespaces?: boolean;
  selector?: string;
  fieldSelector?: string;
  output?: string;
  watch?: boolean;
  showLabels?: boolean;
  ignoreNotFound?: boolean;
  outputWatchEvents?: boolean;
}

interface Fetched {
  kind: ResourceKind;
  objects: KubeObject[];
  resourceVersion?: string;
}

/** Namespace to query for a kind: none for cluster-scoped kinds and for -A. */
function scopeFor(kind: ResourceKind, namespace: string | undefined): string | undefined {
  return kind.namespaced ? namespace : undefined;
}

async function fetchRequest(ctx: CommandContext, client: ApiClient, request: ResourceRequest, namespace: string | undefined, options: GetOptions, errors: unknown[]): Promise<Fetched> {
  const { kind, names } = request;
  if (names.length === 0) {
    const list = await client.list(kind, { namespace: scopeFor(kind, namespace), labelSelector: options.selector, fieldSelector: options.fieldSelector });
    return { kind, objects: list.items, resourceVersion: list.metadata?.resourceVersion };
  }
  const objects: KubeObject[] = [];
  for (const name of names) {
    try {
      objects.push(await client.get(kind, namespace ?? (await ctx.namespace()), name));
    } catch (error) {
      if (error instanceof ApiError && error.code === 404 && options.ignoreNotFound) continue;
      if (!(error instanceof ApiError)) throw error;
      errors.push(error);
    }
  }
  return { kind, objects, resourceVersion: objects[0]?.metadata?.resourceVersion };
}

function printObjects(ctx: CommandContext, format: OutputFormat, fetched: readonly Fetched[], single: boolean, options: GetOptions, printers: Map<ResourceKind, TablePrinter>): void {
  const all = fetched.flatMap((f) => f.objects);
  if (format === 'json' || format === 'yaml') {
    const value = single && all.length === 1 ? all[0] : asList(all);
    ctx.out(format === 'json' ? toJson(value) : toYaml(value));
    return;
  }
  if (format === 'name') {
    for (const f of fetched) for (const object of f.objects) ctx.out(`${objectName(f.kind, object)}\n`);
    return;
  }
  let first = true;
  for (const f of fetched) {
    if (f.objects.length === 0) continue;
    if (!first) ctx.out('\n');
    first = false;
    ctx.out(printerFor(ctx, f.kind, format, fetched.length > 1, options, printers).render(f.objects, ctx.io.now()));
  }
}

function printerFor(ctx: CommandContext, kind: ResourceKind, format: OutputFormat, withKind: boolean, options: GetOptions, printers: Map<ResourceKind, TablePrinter>): TablePrinter {
  let printer = printers.get(kind);
  if (!printer) {
    printer = new TablePrinter(kind, {
      now: ctx.io.now(),
      wide: format === 'wide',
      withNamespace: options.allNamespaces === true,
      withKind,
      showLabels: options.showLabels === true,
      eventColumn: options.watch === true && options.outputWatchEvents === true,
    });
    printers.set(kind, printer);
  }
  return printer;
}

async function runGet(ctx: CommandContext, args: string[], options: GetOptions): Promise<void> {
  const requests = parseResourceArgs(args);
  const format = parseOutputFormat(options.output);
  const named = requests.some((r) => r.names.length > 0);
  if (named && (options.selector || options.fieldSelector)) throw new CliError('names cannot be combined with a label or field selector');
  if (options.watch && (requests.length !== 1 || requests[0].names.length > 1)) throw new CliError('you may only watch one resource type (and at most one name) at a time');
  if (named && options.allNamespaces) throw new CliError('a resource cannot be retrieved by name across all namespaces');

  const client = await ctx.client();
  const namespace = options.allNamespaces ? undefined : await ctx.namespace();
  const errors: unknown[] = [];
  const fetched: Fetched[] = [];
  for (const request of requests) fetched.push(await fetchRequest(ctx, client, request, namespace, options, errors));

  for (const error of errors) ctx.err(`${formatError(error, ctx.hasToken)}\n`);
  if (errors.length > 0) throw new ReportedFailure();
  const printers = new Map<ResourceKind, TablePrinter>();
  // Watching prints object by object, the listed ones first (like kubectl: no List wrapper).
  if (options.watch) {
    await watchChanges(ctx, client, requests[0], fetched[0], namespace, format, options, printers);
    return;
  }
  const total = fetched.reduce((n, f) => n + f.objects.length, 0);
  if (total > 0 || format === 'json' || format === 'yaml') {
    printObjects(ctx, format, fetched, named && requests[0].names.length === 1, options, printers);
  } else if (!named) {
    const clusterScoped = fetched.every((f) => !f.kind.namespaced);
    ctx.err(namespace === undefined || clusterScoped ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`);
  }
}

async function watchChanges(
  ctx: CommandContext,
  client: ApiClient,
  request: ResourceRequest,
  initial: Fetched,
  namespace: string | undefined,
  format: OutputFormat,
  options: GetOptions,
  printers: Map<ResourceKind, TablePrinter>,
): Promise<void> {
  const { kind } = request;
  const name = request.names[0];
  const fieldSelector = name ? `metadata.name=${name}` : options.fieldSelector;
  const scope = name ? scopeFor(kind, namespace ?? (await ctx.namespace())) : scopeFor(kind, namespace);
  const seen = new Map<string, string | undefined>(initial.objects.map((o) => [keyOf(o), o.metadata?.resourceVersion]));
  let printed = 0;
  const withEvents = options.outputWatchEvents === true;

  /** One change (or the listed objects, as ADDED): `{type, object}` documents or an EVENT column with --output-watch-events. */
  const print = (type: string, objects: readonly KubeObject[]): void => {
    if (objects.length === 0) return;
    if (format === 'table' || format === 'wide') {
      // One render for several objects (the listed ones): their columns line up.
      ctx.out(printerFor(ctx, kind, format, false, options, printers).render(objects, ctx.io.now(), type));
      return;
    }
    for (const object of objects) {
      const value = withEvents ? { type, object } : object;
      if (format === 'json') ctx.out(toJson(value));
      else if (format === 'yaml') ctx.out(`${printed > 0 ? '---\n' : ''}${toYaml(value)}`);
      else ctx.out(`${withEvents ? `${type} ` : ''}${objectName(kind, object)}\n`);
      printed++;
    }
  };
  print('ADDED', initial.objects);

  await followWatch(
    ctx,
    client,
    kind,
    {
      namespace: scope,
      labelSelector: options.selector,
      fieldSelector,
      resourceVersion: initial.resourceVersion,
      // The position expired: show what changed meanwhile, then carry on from the fresh list.
      relist: async () => {
        const list = await client.list(kind, { namespace: scope, labelSelector: options.selector, fieldSelector });
        for (const object of list.items) {
          const key = keyOf(object);
          if (seen.get(key) === object.metadata?.resourceVersion) continue;
          const type = seen.has(key) ? 'MODIFIED' : 'ADDED';
          seen.set(key, object.metadata?.resourceVersion);
          print(type, [object]);
        }
        return list.metadata?.resourceVersion;
      },
    },
    (event: WatchEvent) => {
      if (event.type === 'DELETED') seen.delete(keyOf(event.object));
      else seen.set(keyOf(event.object), event.object.metadata?.resourceVersion);
      print(event.type, [event.object]);
    },
  );
}

const keyOf = (o: KubeObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

export function registerGetCommand(program: Command, ctx: CommandContext): void {
  program
    .command('get')
    .description('Display one or many resources: deployments (deploy), pods (po), services (svc), nodes (no), namespaces (ns), events (ev), hpa')
    .argument('<resource...>', 'TYPE [NAME...] | TYPE/NAME... | TYPE1,TYPE2 | all')
    .option('-A, --all-namespaces', 'list the objects of every namespace')
    .option('-l, --selector <selector>', 'label selector, e.g. app=web,tier!=db')
    .option('--field-selector <selector>', 'field selector, e.g. status.phase=Running')
    .option('-o, --output <format>', 'json | yaml | wide | name')
    .option('-w, --watch', 'after listing, print changes as they happen')
    .option('--output-watch-events', 'with --watch: show each change\'s type (ADDED, MODIFIED, DELETED): an EVENT column, or {type, object} documents')
    .option('--show-labels', 'add a LABELS column')
    .option('--ignore-not-found', 'do not fail for names that do not exist')
    .action((args: string[], options: GetOptions) => runGet(ctx, args, options));
}
