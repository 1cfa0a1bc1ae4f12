import { CliConfigFile, CONFIG_KEYS, ConfigKey, validateSetting } from './cli-config.store';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';
export const DEFAULT_NAMESPACE = 'default';

export const ENV_VARIABLES: Readonly<Record<ConfigKey, string>> = {
  server: 'BERTH_SERVER',
  token: 'BERTH_TOKEN',
  namespace: 'BERTH_NAMESPACE',
};

export type SettingSource = 'flag' | 'env' | 'file' | 'default';

export interface Settings {
  server: string;
  token?: string;
  namespace: string;
  /** Where each value came from (absent: not set anywhere). */
  sources: Partial<Record<ConfigKey, SettingSource>>;
}

export interface SettingsInput {
  flags: CliConfigFile;
  env: Readonly<Record<string, string | undefined>>;
  file: CliConfigFile;
  /** For messages: the config file's path. */
  filePath?: string;
}

const DEFAULTS: CliConfigFile = { server: DEFAULT_SERVER, namespace: DEFAULT_NAMESPACE };

/** Flags > environment (BERTH_*) > config file > defaults; an empty value counts as unset. */
export function resolveSettings(input: SettingsInput): Settings {
  const sources: Settings['sources'] = {};
  const values: CliConfigFile = {};
  for (const key of CONFIG_KEYS) {
    const candidates: [SettingSource, string | undefined, string][] = [
      ['flag', input.flags[key], `--${key}`],
      ['env', input.env[ENV_VARIABLES[key]], ENV_VARIABLES[key]],
      ['file', input.file[key], input.filePath ? `config file ${input.filePath}` : 'config file'],
      ['default', DEFAULTS[key], 'default'],
    ];
    const chosen = candidates.find(([, value]) => value !== undefined && value !== '');
    if (!chosen) continue;
    const [source, value, label] = chosen;
    values[key] = validateSetting(key, value as string, label);
    sources[key] = source;
  }
  return {
    server: values.server ?? DEFAULT_SERVER,
    ...(values.token !== undefined ? { token: values.token } : {}),
    namespace: values.namespace ?? DEFAULT_NAMESPACE,
    sources,
  };
}
