import type { Deployment } from '@berth/contracts';
import { Command } from 'commander';
import { ApiError } from '../client/api.errors';
import type { RevisionInfo, Wire } from '../client/api.types';
import type { CommandContext } from '../cli-context';
import { describeTime } from '../output/age.format';
import { formatTable } from '../output/tab-writer';
import { parseCount, parseDuration, parseSingleObject } from '../resources/resource-args';
import { DEPLOYMENTS, qualifiedName } from '../resources/resource-kinds';
import { CliError } from './cli.errors';
import { rolloutStatus } from './rollout-status';

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
/** Pause before watching again after the server closed the stream. */
const REWATCH_PAUSE_MS = 1000;

const deploymentArg = (args: string[]): string => parseSingleObject(args, [DEPLOYMENTS], DEPLOYMENTS).name;
const label = (name: string): string => `${qualifiedName(DEPLOYMENTS)}/${name}`;

interface StatusOptions {
  timeout?: string;
  watch?: boolean;
}

async function runStatus(ctx: CommandContext, args: string[], options: StatusOptions): Promise<void> {
  const name = deploymentArg(args);
  const timeout = options.timeout ? parseDuration(options.timeout) : 0;
  const signal = timeout > 0 ? AbortSignal.timeout(timeout) : new AbortController().signal;
  const client = await ctx.clientWithSignal(signal);
  const namespace = await ctx.namespace();
  let last: string | undefined;
  const observe = (deployment: Wire<Deployment>): boolean => {
    const status = rolloutStatus(deployment);
    if (status.state === 'failed') throw new CliError(status.message);
    if (status.message !== last) ctx.out(`${status.message}\n`);
    last = status.message;
    return status.state === 'done';
  };

  for (;;) {
    const deployment = await client.get(DEPLOYMENTS, namespace, name);
    if (observe(deployment as Wire<Deployment>) || options.watch === false) return;
    try {
      const events = client.watch(DEPLOYMENTS, { namespace, fieldSelector: `metadata.name=${name}`, resourceVersion: deployment.metadata?.resourceVersion });
      for await (const event of events) {
        if (event.type === 'DELETED') throw new CliError(`deployment ${JSON.stringify(name)} was deleted`);
        if (event.type === 'BOOKMARK' || event.object.metadata?.name !== name) continue;
        if (observe(event.object as Wire<Deployment>)) return;
      }
    } catch (error) {
      // 410 Gone: the position expired; read the deployment again and watch from there.
      if (!(error instanceof ApiError && error.code === 410)) throw error;
    }
    await ctx.sleep(REWATCH_PAUSE_MS, AbortSignal.any([signal, ...(ctx.io.signal ? [ctx.io.signal] : [])]));
  }
}

async function runHistory(ctx: CommandContext, args: string[], options: { revision?: string }): Promise<void> {
  const name = deploymentArg(args);
  const client = await ctx.client();
  const history = await client.history(await ctx.namespace(), name);
  const revisions = [...history.revisions].sort((a, b) => a.revision - b.revision);
  if (options.revision !== undefined) {
    const wanted = parseCount(options.revision, '--revision');
    const found = revisions.find((r) => r.revision === wanted);
    if (!found) throw new CliError(`unable to find the specified revision ${wanted} of ${label(name)}`);
    ctx.out(formatRevision(name, found));
    return;
  }
  const rows = revisions.map((r) => [String(r.revision), (r.images ?? []).join(',') || '<none>', r.changeCause || '<none>']);
  ctx.out(`${label(name)}\n${formatTable([['REVISION', 'IMAGES', 'CHANGE-CAUSE'], ...rows], { minWidth: 0, padding: 2 })}`);
}

function formatRevision(name: string, r: RevisionInfo): string {
  return formatTable(
    [
      [`${label(name)} with revision #${r.revision}`],
      ['Pod Template:'],
      ['  Images:', (r.images ?? []).join(', ') || '<none>'],
      ['  Template Hash:', r.templateHash ?? '<unknown>'],
      ['  Created:', describeTime(r.createdAt)],
      ['  Change Cause:', r.changeCause || '<none>'],
    ],
    { minWidth: 0, padding: 2 },
  );
}

async function runUndo(ctx: CommandContext, args: string[], options: { toRevision?: string }): Promise<void> {
  const name = deploymentArg(args);
  const toRevision = options.toRevision === undefined ? undefined : parseCount(options.toRevision, '--to-revision');
  const client = await ctx.client();
  await client.rollback(await ctx.namespace(), name, toRevision);
  ctx.out(`${label(name)} rolled back\n`);
}

async function setPaused(ctx: CommandContext, args: string[], paused: boolean): Promise<void> {
  const name = deploymentArg(args);
  const client = await ctx.client();
  const namespace = await ctx.namespace();
  const current = (await client.get(DEPLOYMENTS, namespace, name)) as Wire<Deployment>;
  if ((current.spec?.paused ?? false) === paused) {
    throw new CliError(`deployments.apps ${JSON.stringify(name)} is ${paused ? 'already paused' : 'not paused'}`);
  }
  await client.patch(DEPLOYMENTS, namespace, name, { spec: { paused } });
  ctx.out(`${label(name)} ${paused ? 'paused' : 'resumed'}\n`);
}

async function runRestart(ctx: CommandContext, args: string[]): Promise<void> {
  const name = deploymentArg(args);
  const client = await ctx.client();
  const patch = { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: new Date(ctx.io.now()).toISOString() } } } } };
  await client.patch(DEPLOYMENTS, await ctx.namespace(), name, patch);
  ctx.out(`${label(name)} restarted\n`);
}

export function registerRolloutCommand(program: Command, ctx: CommandContext): void {
  const rollout = program.command('rollout').description('Manage the rollout of a deployment');
  const target = 'deployment/NAME, deployment NAME or NAME';
  rollout
    .command('status')
    .description('Show the rollout until it is done (exit 1 if its progress deadline is exceeded)')
    .argument('<deployment...>', target)
    .option('--timeout <duration>', 'give up after this long, e.g. 5m (0: wait forever)')
    .option('--no-watch', 'print the current status once instead of waiting')
    .action((args: string[], options: StatusOptions) => runStatus(ctx, args, options));
  rollout
    .command('history')
    .description('List the revisions of a deployment')
    .argument('<deployment...>', target)
    .option('--revision <n>', 'show the details of one revision')
    .action((args: string[], options: { revision?: string }) => runHistory(ctx, args, options));
  rollout
    .command('undo')
    .description('Roll back to the previous revision, or to --to-revision')
    .argument('<deployment...>', target)
    .option('--to-revision <n>', 'the revision to go back to (default: the previous one)')
    .action((args: string[], options: { toRevision?: string }) => runUndo(ctx, args, options));
  rollout
    .command('pause')
    .description('Stop rolling out template changes (spec.paused = true)')
    .argument('<deployment...>', target)
    .action((args: string[]) => setPaused(ctx, args, true));
  rollout
    .command('resume')
    .description('Roll out again (spec.paused = false)')
    .argument('<deployment...>', target)
    .action((args: string[]) => setPaused(ctx, args, false));
  rollout
    .command('restart')
    .description('Replace every replica with a rolling update (stamps the pod template)')
    .argument('<deployment...>', target)
    .action((args: string[]) => runRestart(ctx, args));
}
