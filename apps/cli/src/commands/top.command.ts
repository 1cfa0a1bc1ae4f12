import type { Node } from '@berth/contracts';
import { Command } from 'commander';
import type { ApiClient } from '../client/api.client';
import { ApiError } from '../client/api.errors';
import type { PodMetrics, Wire } from '../client/api.types';
import type { CommandContext } from '../cli-context';
import { formatTable } from '../output/tab-writer';
import { TopSort, topNodeRows, topPodRows } from '../output/top.format';
import { NODES, PODS, resolveResourceKind } from '../resources/resource-kinds';
import { CliError } from './cli.errors';

interface TopOptions {
  allNamespaces?: boolean;
  selector?: string;
  sortBy?: string;
}

function parseSort(value: string | undefined): TopSort {
  if (value === undefined) return undefined;
  if (value === 'cpu' || value === 'memory') return value;
  throw new CliError(`--sort-by must be cpu or memory, got "${value}"`);
}

async function runTop(ctx: CommandContext, type: string, name: string | undefined, options: TopOptions): Promise<void> {
  const kind = resolveResourceKind(type);
  const sortBy = parseSort(options.sortBy);
  const client = await ctx.client();
  if (kind === NODES) {
    const [nodes, metrics] = await Promise.all([client.list(NODES, { labelSelector: options.selector }), client.nodeMetrics()]);
    const selected = (nodes.items as Wire<Node>[]).filter((n) => !name || n.metadata?.name === name);
    if (name && selected.length === 0) throw new CliError(`node ${JSON.stringify(name)} not found`);
    ctx.out(formatTable(topNodeRows(selected, metrics, sortBy)));
    return;
  }
  if (kind !== PODS) throw new CliError('top shows nodes or pods: berth top nodes | berth top pods');
  if (name) {
    if (options.allNamespaces) throw new CliError('a resource cannot be retrieved by name across all namespaces');
    if (options.selector) throw new CliError('a pod name cannot be combined with a label selector');
    ctx.out(formatTable(topPodRows([await podMetric(client, await ctx.namespace(), name)], false, sortBy)));
    return;
  }
  const namespace = options.allNamespaces ? undefined : await ctx.namespace();
  const metrics = await client.podMetrics(namespace, options.selector);
  if (metrics.length === 0) {
    ctx.err(`No resources found${namespace ? ` in ${namespace} namespace` : ''}.\n`);
    return;
  }
  ctx.out(formatTable(topPodRows(metrics, namespace === undefined, sortBy)));
}

/** One pod's usage; a pod that exists but has no sample yet is "not available yet", a missing pod the server's NotFound. */
async function podMetric(client: ApiClient, namespace: string, name: string): Promise<PodMetrics> {
  try {
    return await client.podMetric(namespace, name);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 404)) throw error;
    await client.get(PODS, namespace, name);
    throw new CliError(`metrics not available yet for pod ${namespace}/${name}`);
  }
}

export function registerTopCommand(program: Command, ctx: CommandContext): void {
  program
    .command('top')
    .description('Show CPU and memory use of nodes or pods (metrics.k8s.io)')
    .argument('<type>', 'nodes | pods')
    .argument('[name]', 'one node or pod')
    .option('-A, --all-namespaces', 'pods of every namespace')
    .option('-l, --selector <selector>', 'label selector')
    .option('--sort-by <resource>', 'cpu | memory, highest first')
    .action((type: string, name: string | undefined, options: TopOptions) => runTop(ctx, type, name, options));
}
