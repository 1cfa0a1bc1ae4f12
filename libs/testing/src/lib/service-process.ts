import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './nats-server';

export const WORKSPACE_ROOT = join(__dirname, '../../../..');

export type ServiceName = 'api-gateway' | 'scheduler' | 'autoscaler' | 'monitor' | 'node-agent';

export interface ServiceProcess {
  name: ServiceName;
  port: number;
  process: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal) once the process has gone. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | string>;
  kill(): Promise<number | string>;
}

/** Runs one Berth service from source, as `npm start` does, on a free port. */
export async function startService(name: ServiceName, env: Record<string, string>): Promise<ServiceProcess> {
  const port = env['PORT'] ? Number(env['PORT']) : await freePort();
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(WORKSPACE_ROOT, 'apps', name, 'src/main.ts')], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, SWC_NODE_PROJECT: join(WORKSPACE_ROOT, 'tsconfig.base.json'), LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    return exited;
  };
  return {
    name,
    port,
    process: child,
    output: () => output,
    exited,
    stop,
    kill: async () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

/** Polls `GET url` until it answers 200 (or the process dies, or time runs out). */
export async function waitForHttp(url: string, service?: ServiceProcess, timeoutMs = 30_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (service && (service.process.exitCode !== null || service.process.signalCode !== null)) {
      throw new Error(`${service.name} exited before ${url} answered:\n${service.output().slice(-2000)}`);
    }
    try {
      const response = await fetch(url);
      if (response.ok) return response;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer 200 in ${timeoutMs} ms (last: ${last})${service ? `\n${service.output().slice(-2000)}` : ''}`);
}
