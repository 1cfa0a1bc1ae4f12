import type { Deployment } from '@berth/contracts';
import { Command } from 'commander';
import type { KubeObject, Wire } from '../client/api.types';
import type { CommandContext } from '../cli-context';
import { formatLabelSelector } from '../output/labels.format';
import { parseCount, parseDuration, parseTypeName } from '../resources/resource-args';
import { DEPLOYMENTS, PODS } from '../resources/resource-kinds';
import { CliError } from './cli.errors';

interface LogsOptions {
  follow?: boolean;
  tail?: string;
  since?: string;
  limitBytes?: string;
}

/** `pod-name`, `pod/pod-name` or `deployment/web` (its oldest pod, like kubectl). */
async function resolvePod(ctx: CommandContext, arg: string, namespace: string): Promise<string> {
  const { kind, name } = parseTypeName(arg, PODS);
  if (kind === PODS) return name;
  if (kind !== DEPLOYMENTS) throw new CliError(`logs are available for pods and deployments, not ${kind.resource}`);
  const client = await ctx.client();
  const deployment = (await client.get(DEPLOYMENTS, namespace, name)) as Wire<Deployment>;
  const selector = formatLabelSelector(deployment.spec?.selector);
  const pods = (await client.list(PODS, { namespace, labelSelector: selector === '<none>' ? undefined : selector })).items;
  if (pods.length === 0) throw new CliError(`no pods found for ${arg}`);
  const created = (p: KubeObject): number => Date.parse(p.metadata?.creationTimestamp ?? '') || 0;
  const [oldest] = [...pods].sort((a, b) => created(a) - created(b));
  if (pods.length > 1) ctx.err(`Found ${pods.length} pods, using pod/${oldest.metadata?.name ?? ''}\n`);
  return oldest.metadata?.name ?? '';
}

async function runLogs(ctx: CommandContext, target: string, options: LogsOptions): Promise<void> {
  const namespace = await ctx.namespace();
  const tail = options.tail === undefined || options.tail === '-1' ? undefined : parseCount(options.tail, '--tail');
  const since = options.since === undefined ? undefined : Math.ceil(parseDuration(options.since) / 1000);
  const limitBytes = options.limitBytes === undefined ? undefined : parseCount(options.limitBytes, '--limit-bytes');
  const pod = await resolvePod(ctx, target, namespace);
  const client = await ctx.client();
  for await (const chunk of client.logs(namespace, pod, { follow: options.follow, tailLines: tail, sinceSeconds: since, limitBytes })) ctx.out(chunk);
}

export function registerLogsCommand(program: Command, ctx: CommandContext): void {
  program
    .command('logs')
    .description("Print a pod's logs (or the logs of one pod of deployment/NAME)")
    .argument('<pod>', 'POD, pod/POD or deployment/NAME')
    .option('-f, --follow', 'keep streaming new lines')
    .option('--tail <lines>', 'only the last N lines (-1: all)')
    .option('--since <duration>', 'only lines newer than this, e.g. 5m, 1h')
    .option('--limit-bytes <bytes>', 'stop after this many bytes')
    .action((target: string, options: LogsOptions) => runLogs(ctx, target, options));
}
