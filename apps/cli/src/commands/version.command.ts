import { Command } from 'commander';
import { CLI_VERSION, CommandContext } from '../cli-context';

async function runVersion(ctx: CommandContext, options: { client?: boolean }): Promise<void> {
  ctx.out(`Client Version: ${CLI_VERSION}\n`);
  if (options.client) return;
  const client = await ctx.client();
  const version = await client.version();
  ctx.out(`Server Version: ${version.gitVersion ?? [version.major, version.minor].filter(Boolean).join('.')}\n`);
}

export function registerVersionCommand(program: Command, ctx: CommandContext): void {
  program
    .command('version')
    .description('Print the client and server versions')
    .option('--client', 'only the client version (no request)')
    .action((options: { client?: boolean }) => runVersion(ctx, options));
}
