import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { isDNS1123Label } from '@berth/contracts';
import { isMap, parseDocument, stringify } from 'yaml';
import { CliError } from '../commands/cli.errors';

export const CONFIG_KEYS = ['server', 'token', 'namespace'] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];
export type CliConfigFile = Partial<Record<ConfigKey, string>>;

/** $BERTH_CONFIG, else ~/.berth/config.yaml with ~ taken from $HOME like other CLIs. */
export function configPath(env: Readonly<Record<string, string | undefined>>): string {
  if (env['BERTH_CONFIG']) return env['BERTH_CONFIG'];
  return join(env['HOME'] || homedir(), '.berth', 'config.yaml');
}

export function isConfigKey(key: string): key is ConfigKey {
  return (CONFIG_KEYS as readonly string[]).includes(key);
}

/** The whole file (unknown keys kept, so a newer CLI's settings survive an older one's write). */
async function readRaw(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) throw new CliError(`config file ${path} is not valid YAML: ${doc.errors[0].message}`);
  if (doc.contents === null) return {};
  if (!isMap(doc.contents)) throw new CliError(`config file ${path} must be a mapping of server, token and namespace`);
  return doc.toJS() as Record<string, unknown>;
}

export async function readConfigFile(path: string): Promise<CliConfigFile> {
  const raw = await readRaw(path);
  const config: CliConfigFile = {};
  for (const key of CONFIG_KEYS) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new CliError(`config file ${path}: ${key} must be a string`);
    config[key] = value;
  }
  return config;
}

/** Sets (or with undefined, removes) one key; the file holds a token, so it is private to the user. */
export async function updateConfigFile(path: string, key: ConfigKey, value: string | undefined): Promise<void> {
  const raw = await readRaw(path);
  if (value === undefined) delete raw[key];
  else raw[key] = value;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const text = Object.keys(raw).length === 0 ? '' : stringify(raw);
  // Written beside and renamed, so a crash never leaves half a file.
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

/** Checks a value before it is stored or used; `source` says where it came from for the message. */
export function validateSetting(key: ConfigKey, value: string, source: string): string {
  if (key === 'server') {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new CliError(`invalid server "${value}" (${source}): must be a URL such as http://127.0.0.1:8080`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new CliError(`invalid server "${value}" (${source}): only http and https are supported`);
    }
    return value.replace(/\/+$/, '');
  }
  if (key === 'namespace') {
    const problems = isDNS1123Label(value);
    if (problems.length > 0) throw new CliError(`invalid namespace "${value}" (${source}): ${problems.join('; ')}`);
    return value;
  }
  if (value.trim() === '' || /\s/.test(value.trim())) throw new CliError(`invalid token (${source}): must be a single word`);
  return value.trim();
}
