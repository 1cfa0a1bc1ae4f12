import { Command } from 'commander';
import type { CommandContext } from '../cli-context';
import { NAMESPACES, resolveResourceKind } from '../resources/resource-kinds';
import { CliError } from './cli.errors';

async function runCreateNamespace(ctx: CommandContext, type: string, name: string): Promise<void> {
  if (resolveResourceKind(type).kind !== 'Namespace') throw new CliError('create makes namespaces only; use berth apply -f for other objects');
  const client = await ctx.client();
  await client.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  ctx.out(`namespace/${name} created\n`);
}

export function registerCreateCommand(program: Command, ctx: CommandContext): void {
  program
    .command('create')
    .description('Create a namespace (other objects: berth apply -f)')
    .argument('<type>', 'namespace (ns)')
    .argument('<name>')
    .action((type: string, name: string) => runCreateNamespace(ctx, type, name));
}
