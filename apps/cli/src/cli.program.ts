import { Command, CommanderError } from 'commander';
import { CLI_VERSION, CliIo, CommandContext, GlobalOptions } from './cli-context';
import { registerAdminCommand } from './commands/admin.command';
import { registerApplyCommand } from './commands/apply.command';
import { CliError, ReportedFailure } from './commands/cli.errors';
import { registerConfigCommand } from './commands/config.command';
import { registerCreateCommand } from './commands/create.command';
import { registerDeleteCommand } from './commands/delete.command';
import { registerDescribeCommand } from './commands/describe.command';
import { registerGetCommand } from './commands/get.command';
import { registerLogsCommand } from './commands/logs.command';
import { registerNodeCommands } from './commands/node.command';
import { registerRolloutCommand } from './commands/rollout.command';
import { registerScaleCommand } from './commands/scale.command';
import { registerTopCommand } from './commands/top.command';
import { registerVersionCommand } from './commands/version.command';
import { formatError } from './output/error.format';

/** Exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells report it. */
const INTERRUPTED = 130;

/** kubectl (pflag) accepts `-o=yaml` and `-n=prod`; commander would keep the `=`. */
export function normalizeArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    const match = /^(-[a-zA-Z])=(.*)$/s.exec(arg);
    if (match) out.push(match[1], match[2]);
    else out.push(arg);
  }
  return out;
}

export function buildProgram(io: CliIo): { program: Command; ctx: CommandContext } {
  const program = new Command('berth');
  const ctx = new CommandContext(io, () => program.opts<GlobalOptions>());
  program
    .description('Berth command-line client: kubectl-style access to the Berth API')
    .version(CLI_VERSION, '--version', 'print the client version')
    .option('--server <url>', 'API server URL (env BERTH_SERVER; default http://127.0.0.1:8080)')
    .option('--token <token>', 'bearer token (env BERTH_TOKEN)')
    .option('-n, --namespace <namespace>', 'namespace (env BERTH_NAMESPACE; default "default")')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showSuggestionAfterError()
    .helpCommand(true);
  registerApplyCommand(program, ctx);
  registerGetCommand(program, ctx);
  registerDescribeCommand(program, ctx);
  registerDeleteCommand(program, ctx);
  registerCreateCommand(program, ctx);
  registerScaleCommand(program, ctx);
  registerRolloutCommand(program, ctx);
  registerLogsCommand(program, ctx);
  registerTopCommand(program, ctx);
  registerNodeCommands(program, ctx);
  registerConfigCommand(program, ctx);
  registerAdminCommand(program, ctx);
  registerVersionCommand(program, ctx);
  return { program, ctx };
}

/** Runs one invocation and returns its exit code; never throws and never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const { program, ctx } = buildProgram(io);
  try {
    await program.parseAsync(normalizeArgs(argv), { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? 0 : error.exitCode || 1;
    }
    if (error instanceof ReportedFailure) return error.exitCode;
    if (io.signal?.aborted) return INTERRUPTED;
    io.stderr.write(`${formatError(error, ctx.hasToken)}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}
