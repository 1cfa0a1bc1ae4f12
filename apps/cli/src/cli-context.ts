import { ApiClient } from './client/api.client';
import { CliConfigFile, configPath, readConfigFile } from './config/cli-config.store';
import { resolveSettings, Settings } from './config/settings.resolver';

/** Everything a command touches outside itself, so tests can run the CLI in-process. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  stdin: AsyncIterable<string | Uint8Array>;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  now(): number;
  /** Ends long-running commands (watch, logs -f, rollout status) early. */
  signal?: AbortSignal;
  /** How often drain checks the node's pods; default 1 s. */
  pollIntervalMs?: number;
}

export interface GlobalOptions {
  server?: string;
  token?: string;
  namespace?: string;
}

export const CLI_VERSION = '0.1.0';

/** Per-invocation state shared by the commands: settings are resolved once, on first use. */
export class CommandContext {
  private settingsPromise?: Promise<Settings>;
  private apiClient?: ApiClient;
  /** Set once settings are known, so errors can hint about a missing token without revealing it. */
  hasToken = false;

  constructor(
    readonly io: CliIo,
    private readonly globals: () => GlobalOptions,
  ) {}

  get configPath(): string {
    return configPath(this.io.env);
  }

  settings(): Promise<Settings> {
    this.settingsPromise ??= this.loadSettings();
    return this.settingsPromise;
  }

  private async loadSettings(): Promise<Settings> {
    const { server, token, namespace } = this.globals();
    const flags: CliConfigFile = { server, token, namespace };
    const path = this.configPath;
    const settings = resolveSettings({ flags, env: this.io.env, file: await readConfigFile(path), filePath: path });
    this.hasToken = settings.token !== undefined;
    return settings;
  }

  async client(): Promise<ApiClient> {
    if (!this.apiClient) {
      const settings = await this.settings();
      this.apiClient = new ApiClient({ server: settings.server, token: settings.token, signal: this.io.signal, userAgent: `berth/${CLI_VERSION}` });
    }
    return this.apiClient;
  }

  /** A client whose every request also ends with `signal` (a command's --timeout). */
  async clientWithSignal(signal: AbortSignal): Promise<ApiClient> {
    const settings = await this.settings();
    const combined = this.io.signal ? AbortSignal.any([this.io.signal, signal]) : signal;
    return new ApiClient({ server: settings.server, token: settings.token, signal: combined, userAgent: `berth/${CLI_VERSION}` });
  }

  async namespace(): Promise<string> {
    return (await this.settings()).namespace;
  }

  out(text: string): void {
    this.io.stdout.write(text);
  }

  err(text: string): void {
    this.io.stderr.write(text);
  }

  /** Waits, but wakes (and throws the abort reason) when the invocation is cancelled. */
  sleep(ms: number, signal: AbortSignal | undefined = this.io.signal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async readStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  }
}
