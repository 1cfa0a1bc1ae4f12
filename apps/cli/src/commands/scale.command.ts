import { Command } from 'commander';
import { ApiError } from '../client/api.errors';
import type { CommandContext } from '../cli-context';
import { formatError } from '../output/error.format';
import { parseCount, parseResourceArgs } from '../resources/resource-args';
import { DEPLOYMENTS, qualifiedName } from '../resources/resource-kinds';
import { CliError, ReportedFailure } from './cli.errors';

async function runScale(ctx: CommandContext, args: string[], options: { replicas?: string }): Promise<void> {
  if (options.replicas === undefined) throw new CliError('--replicas=COUNT is required, e.g. berth scale deployment/web --replicas 3');
  const replicas = parseCount(options.replicas, '--replicas');
  const requests = parseResourceArgs(args);
  if (requests.some((r) => r.kind !== DEPLOYMENTS)) throw new CliError('only deployments can be scaled (e.g. berth scale deployment/web --replicas 3)');
  const names = requests.flatMap((r) => r.names);
  if (names.length === 0) throw new CliError('name the deployment to scale, e.g. deployment/web');
  const client = await ctx.client();
  const namespace = await ctx.namespace();
  let failed = false;
  for (const name of names) {
    try {
      await client.patch(DEPLOYMENTS, namespace, name, { spec: { replicas } }, { subresource: 'scale' });
      ctx.out(`${qualifiedName(DEPLOYMENTS)}/${name} scaled\n`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      ctx.err(`${formatError(error, ctx.hasToken)}\n`);
      failed = true;
    }
  }
  if (failed) throw new ReportedFailure();
}

export function registerScaleCommand(program: Command, ctx: CommandContext): void {
  program
    .command('scale')
    .description("Set a deployment's number of replicas (the scale subresource)")
    .argument('<resource...>', 'deployment/NAME... or deployment NAME...')
    .option('--replicas <count>', 'the new number of replicas')
    .action((args: string[], options: { replicas?: string }) => runScale(ctx, args, options));
}
