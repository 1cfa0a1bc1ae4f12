import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './nats-server';

const run = promisify(execFile);

export const POSTGRES_BIN_DIR = process.env['POSTGRES_BIN_DIR'] ?? '/usr/lib/postgresql/15/bin';

/** `fast`: clients are disconnected, the server shuts down cleanly; `immediate`: it quits at once and recovers from WAL on the next start (like a crash). */
export type PostgresStopMode = 'smart' | 'fast' | 'immediate';

/**
 * A throwaway Postgres cluster of its own (initdb in a temp dir, its own port, trust auth), for tests
 * that stop and restart the database: the machine's shared server must not be touched while other
 * tests use it. Postgres refuses to run as root, so as root the binaries run as the `postgres` user
 * (`runuser`), which then owns the data directory.
 */
export class PrivatePostgres {
  private running = false;

  private constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly root: string,
    private readonly runAs: string | null,
  ) {}

  /** initdb, then start. Options: extra `postgresql.conf` settings. */
  static async start(settings: Record<string, string> = {}): Promise<PrivatePostgres> {
    const root = mkdtempSync(join(tmpdir(), 'berth-pg-'));
    const runAs = userInfo().uid === 0 ? (process.env['POSTGRES_RUN_AS'] ?? 'postgres') : null;
    if (runAs) {
      const { stdout } = await run('id', ['-u', runAs]);
      const { stdout: gid } = await run('id', ['-g', runAs]);
      chownSync(root, Number(stdout.trim()), Number(gid.trim()));
    }
    chmodSync(root, 0o700);
    const server = new PrivatePostgres(await freePort(), join(root, 'data'), root, runAs);
    await server.exec('initdb', ['-D', server.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    const conf = {
      listen_addresses: "'127.0.0.1'",
      port: String(server.port),
      unix_socket_directories: `'${root}'`,
      max_connections: '300',
      // Process kills (immediate stop) lose nothing with fsync off; only an OS crash would.
      fsync: 'off',
      full_page_writes: 'off',
      ...settings,
    };
    await server.exec('sh', ['-c', `cat >> '${join(server.dataDir, 'postgresql.conf')}'`], Object.entries(conf).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
    try {
      await server.startServer();
    } catch (error) {
      await server.dispose();
      throw error;
    }
    return server;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts a stopped server (after an immediate stop it replays the WAL first). */
  async startServer(): Promise<void> {
    await this.exec(join(POSTGRES_BIN_DIR, 'pg_ctl'), ['-D', this.dataDir, '-l', join(this.root, 'postgres.log'), '-w', '-t', '60', 'start']);
    this.running = true;
  }

  async stopServer(mode: PostgresStopMode = 'fast'): Promise<void> {
    if (!this.running) return;
    await this.exec(join(POSTGRES_BIN_DIR, 'pg_ctl'), ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
    this.running = false;
  }

  /** `pg_ctl restart -m <mode>`: down and up again as fast as Postgres can. */
  async restart(mode: PostgresStopMode = 'fast'): Promise<void> {
    await this.exec(join(POSTGRES_BIN_DIR, 'pg_ctl'), ['-D', this.dataDir, '-l', join(this.root, 'postgres.log'), '-m', mode, '-w', '-t', '60', 'restart']);
    this.running = true;
  }

  async dispose(): Promise<void> {
    await this.stopServer('immediate').catch(() => undefined);
    rmSync(this.root, { recursive: true, force: true });
  }

  private async exec(command: string, args: string[], input?: string): Promise<void> {
    const bin = command.includes('/') || command === 'sh' ? command : join(POSTGRES_BIN_DIR, command);
    const [file, argv] = this.runAs ? ['runuser', ['-u', this.runAs, '--', bin, ...args]] : [bin, args];
    const child = execFile(file, argv, { cwd: this.root, timeout: 90_000 });
    if (input !== undefined) child.stdin?.end(input);
    await new Promise<void>((resolve, reject) => {
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${file} ${argv.join(' ')} exited with ${code}: ${output.slice(-2000)}`))));
    });
  }
}
