import type { Event } from '@berth/contracts';
import { Command } from 'commander';
import type { ApiClient } from '../client/api.client';
import { ApiError } from '../client/api.errors';
import type { KubeObject, Wire } from '../client/api.types';
import type { CommandContext } from '../cli-context';
import { describeObject } from '../output/describers';
import { formatError } from '../output/error.format';
import type { WirePod } from '../output/pod.format';
import { parseResourceArgs } from '../resources/resource-args';
import { EVENTS, PODS, ResourceKind } from '../resources/resource-kinds';
import { CliError, ReportedFailure } from './cli.errors';

interface DescribeOptions {
  allNamespaces?: boolean;
  selector?: string;
}

/** The object's events, matched on the server by field selector and again here; none when they cannot be read. */
async function eventsFor(client: ApiClient, kind: ResourceKind, object: KubeObject): Promise<Wire<Event>[]> {
  const name = object.metadata?.name ?? '';
  const namespace = kind.namespaced ? object.metadata?.namespace : undefined;
  try {
    const list = await client.list(EVENTS, { namespace, fieldSelector: `involvedObject.name=${name},involvedObject.kind=${kind.kind}` });
    return (list.items as Wire<Event>[]).filter(
      (e) => e.involvedObject?.name === name && (!e.involvedObject.kind || e.involvedObject.kind === kind.kind) && (!namespace || !e.involvedObject.namespace || e.involvedObject.namespace === namespace),
    );
  } catch (error) {
    // Like kubectl: a describe without events beats no describe (e.g. a role that cannot list events).
    if (error instanceof ApiError) return [];
    throw error;
  }
}

async function podsOnNode(client: ApiClient, node: string): Promise<WirePod[] | undefined> {
  try {
    const list = await client.list(PODS, { fieldSelector: `spec.nodeName=${node}` });
    return (list.items as WirePod[]).filter((p) => p.spec?.nodeName === node);
  } catch (error) {
    if (error instanceof ApiError) return undefined;
    throw error;
  }
}

/** The named object, or (like kubectl) every object whose name starts with it: `describe pods web`. */
async function findObjects(client: ApiClient, kind: ResourceKind, namespace: string, name: string): Promise<KubeObject[]> {
  try {
    return [await client.get(kind, namespace, name)];
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 404)) throw error;
    const list = await client.list(kind, { namespace: kind.namespaced ? namespace : undefined }).catch(() => undefined);
    const matches = list?.items.filter((o) => (o.metadata?.name ?? '').startsWith(name)) ?? [];
    if (matches.length === 0) throw error;
    return matches;
  }
}

async function runDescribe(ctx: CommandContext, args: string[], options: DescribeOptions): Promise<void> {
  const requests = parseResourceArgs(args);
  const client = await ctx.client();
  const namespace = await ctx.namespace();
  const scope = options.allNamespaces ? undefined : namespace;
  const errors: unknown[] = [];
  const descriptions: string[] = [];
  for (const { kind, names } of requests) {
    let objects: KubeObject[] = [];
    if (names.length === 0) {
      objects = (await client.list(kind, { namespace: kind.namespaced ? scope : undefined, labelSelector: options.selector })).items;
    } else {
      if (options.selector) throw new CliError('names cannot be combined with a label selector');
      for (const name of names) {
        try {
          objects.push(...(await findObjects(client, kind, namespace, name)));
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          errors.push(error);
        }
      }
    }
    for (const object of objects) {
      const [events, pods] = await Promise.all([eventsFor(client, kind, object), kind.kind === 'Node' ? podsOnNode(client, object.metadata?.name ?? '') : undefined]);
      descriptions.push(describeObject(kind, object, { now: ctx.io.now(), events, ...(pods ? { pods } : {}) }));
    }
  }
  ctx.out(descriptions.join('\n'));
  if (descriptions.length === 0 && errors.length === 0) {
    ctx.err(scope === undefined || requests.every((r) => !r.kind.namespaced) ? 'No resources found\n' : `No resources found in ${scope} namespace.\n`);
  }
  for (const error of errors) ctx.err(`${formatError(error, ctx.hasToken)}\n`);
  if (errors.length > 0) throw new ReportedFailure();
}

export function registerDescribeCommand(program: Command, ctx: CommandContext): void {
  program
    .command('describe')
    .description('Show the details of objects, with their recent events')
    .argument('<resource...>', 'TYPE [NAME_PREFIX...] | TYPE/NAME...')
    .option('-A, --all-namespaces', 'describe the objects of every namespace')
    .option('-l, --selector <selector>', 'label selector')
    .action((args: string[], options: DescribeOptions) => runDescribe(ctx, args, options));
}
