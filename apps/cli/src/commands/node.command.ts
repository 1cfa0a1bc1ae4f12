import type { Node } from '@berth/contracts';
import { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import type { ApiClient } from '../client/api.client';
import type { KubeObject, Wire } from '../client/api.types';
import type { CommandContext } from '../cli-context';
import type { WirePod } from '../output/pod.format';
import { parseDuration } from '../resources/resource-args';
import { NODES, PODS } from '../resources/resource-kinds';
import { CliError } from './cli.errors';

const DEFAULT_POLL_MS = 1000;

async function setUnschedulable(ctx: CommandContext, name: string, unschedulable: boolean): Promise<void> {
  const client = await ctx.client();
  const node = (await client.get(NODES, '', name)) as Wire<Node>;
  const verb = unschedulable ? 'cordoned' : 'uncordoned';
  if ((node.spec?.unschedulable ?? false) === unschedulable) {
    ctx.out(`node/${name} already ${verb}\n`);
    return;
  }
  await client.patch(NODES, '', name, { spec: { unschedulable } });
  ctx.out(`node/${name} ${verb}\n`);
}

/** Pods still bound to the node and not finished. */
async function podsOn(client: ApiClient, node: string): Promise<KubeObject[]> {
  const list = await client.list(PODS, { fieldSelector: `spec.nodeName=${node}` });
  return list.items.filter((p) => {
    const pod = p as WirePod;
    return pod.spec?.nodeName === node && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
  });
}

const podKey = (p: KubeObject): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

interface DrainOptions {
  wait?: boolean;
  timeout?: string;
}

async function runDrain(ctx: CommandContext, name: string, options: DrainOptions): Promise<void> {
  const timeout = options.timeout ? parseDuration(options.timeout) : 0;
  const client = await ctx.client();
  // Listed before the drain request: a replica that goes quickly could be gone by the first poll.
  // (Best effort: the drain request itself says whether the node exists and the caller may drain it.)
  const before = options.wait === false ? [] : await podsOn(client, name).catch((): KubeObject[] => []);
  const status = await client.drain(name);
  ctx.out(`node/${name} cordoned\n`);
  if (options.wait === false) {
    if (status?.message) ctx.err(`${status.message}\n`);
    return;
  }
  const started = performance.now();
  for (const pod of before) ctx.out(`evicting pod ${podKey(pod)}\n`);
  let remaining = new Map(before.map((p) => [podKey(p), p]));
  for (;;) {
    const current = new Map((await podsOn(client, name)).map((p) => [podKey(p), p]));
    for (const key of current.keys()) if (!remaining.has(key)) ctx.out(`evicting pod ${key}\n`);
    for (const [key, pod] of remaining) if (!current.has(key)) ctx.out(`pod/${pod.metadata?.name ?? key} evicted\n`);
    remaining = current;
    if (remaining.size === 0) break;
    if (timeout > 0 && performance.now() - started >= timeout) {
      throw new CliError(`unable to drain node ${JSON.stringify(name)}: ${remaining.size} pod(s) still running after ${options.timeout}: ${[...remaining.keys()].join(', ')}`);
    }
    await ctx.sleep(ctx.io.pollIntervalMs ?? DEFAULT_POLL_MS);
  }
  ctx.out(`node/${name} drained\n`);
}

export function registerNodeCommands(program: Command, ctx: CommandContext): void {
  program
    .command('cordon')
    .description('Mark a node unschedulable (spec.unschedulable = true)')
    .argument('<node>')
    .action((name: string) => setUnschedulable(ctx, name, true));
  program
    .command('uncordon')
    .description('Mark a node schedulable again')
    .argument('<node>')
    .action((name: string) => setUnschedulable(ctx, name, false));
  program
    .command('drain')
    .description('Cordon a node and move its replicas elsewhere; waits until no pod is left on it')
    .argument('<node>')
    .option('--no-wait', 'return once the server accepted the drain')
    .option('--timeout <duration>', 'give up waiting after this long, e.g. 5m (0: wait forever)')
    .action((name: string, options: DrainOptions) => runDrain(ctx, name, options));
}
