import { Command } from 'commander';
import { stringify } from 'yaml';
import type { CommandContext } from '../cli-context';
import { CliConfigFile, CONFIG_KEYS, isConfigKey, readConfigFile, updateConfigFile, validateSetting } from '../config/cli-config.store';
import { ENV_VARIABLES } from '../config/settings.resolver';
import { CliError } from './cli.errors';

const REDACTED = 'REDACTED';

function checkedKey(key: string): (typeof CONFIG_KEYS)[number] {
  if (!isConfigKey(key)) throw new CliError(`unknown property "${key}": use one of ${CONFIG_KEYS.join(', ')}`);
  return key;
}

/** The config file, token replaced: a token is never printed. */
export function redactedConfig(config: CliConfigFile): CliConfigFile {
  return config.token === undefined ? config : { ...config, token: REDACTED };
}

async function runView(ctx: CommandContext, options: { effective?: boolean }): Promise<void> {
  if (!options.effective) {
    const config = redactedConfig(await readConfigFile(ctx.configPath));
    ctx.out(Object.keys(config).length === 0 ? '{}\n' : stringify(config));
    return;
  }
  const settings = await ctx.settings();
  const where = (key: (typeof CONFIG_KEYS)[number]): string => {
    const source = settings.sources[key];
    if (source === 'env') return `env ${ENV_VARIABLES[key]}`;
    if (source === 'file') return `file ${ctx.configPath}`;
    if (source === 'flag') return `flag --${key}`;
    return source ?? 'not set';
  };
  const lines = [
    `server: ${settings.server}  # ${where('server')}`,
    `namespace: ${settings.namespace}  # ${where('namespace')}`,
    `token: ${settings.token === undefined ? '""' : REDACTED}  # ${where('token')}`,
  ];
  ctx.out(`${lines.join('\n')}\n`);
}

async function runSet(ctx: CommandContext, key: string, value: string): Promise<void> {
  const property = checkedKey(key);
  // `-` reads the value from stdin, so a token need not appear in the shell history.
  const raw = value === '-' ? (await ctx.readStdin()).trim() : value;
  await updateConfigFile(ctx.configPath, property, validateSetting(property, raw, 'value'));
  ctx.out(`Property "${property}" set.\n`);
}

async function runUnset(ctx: CommandContext, key: string): Promise<void> {
  const property = checkedKey(key);
  await updateConfigFile(ctx.configPath, property, undefined);
  ctx.out(`Property "${property}" unset.\n`);
}

export function registerConfigCommand(program: Command, ctx: CommandContext): void {
  const config = program.command('config').description('Show or change ~/.berth/config.yaml (or $BERTH_CONFIG)');
  config
    .command('view')
    .description('Print the config file (the token is redacted)')
    .option('--effective', 'print the settings in use, after flags and BERTH_* variables, with where each comes from')
    .action((options: { effective?: boolean }) => runView(ctx, options));
  config
    .command('set')
    .description('Set server, token or namespace; VALUE - reads it from stdin')
    .argument('<property>', 'server | token | namespace')
    .argument('<value>')
    .action((key: string, value: string) => runSet(ctx, key, value));
  config
    .command('unset')
    .description('Remove server, token or namespace from the file')
    .argument('<property>', 'server | token | namespace')
    .action((key: string) => runUnset(ctx, key));
}
