import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runCli } from '../cli.program';

/** The fixed "now" of CLI tests: ages are computed against it. */
export const NOW = Date.parse('2024-05-01T12:00:00Z');

/** A timestamp `seconds` before NOW. */
export const ago = (seconds: number): string => new Date(NOW - seconds * 1000).toISOString();

export interface BerthResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface BerthRun {
  done: Promise<BerthResult>;
  stdout(): string;
  stderr(): string;
  /** Ctrl-C. */
  abort(): void;
  /** Resolves once stdout contains the text (or fails after a few seconds). */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
}

export interface RunOptions {
  server?: string;
  /** The whole environment the CLI sees (HOME is a fresh temporary folder unless given). */
  env?: Record<string, string | undefined>;
  stdin?: string;
  cwd?: string;
  pollIntervalMs?: number;
}

/** Starts `berth <args>` in-process with its own stdout, stderr, environment and clock. */
export function startBerth(args: string[], options: RunOptions = {}): BerthRun {
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  const env = {
    HOME: mkdtempSync(join(tmpdir(), 'berth-cli-home-')),
    ...(options.server ? { BERTH_SERVER: options.server } : {}),
    ...options.env,
  };
  const done = runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    env,
    cwd: options.cwd ?? process.cwd(),
    now: () => NOW,
    signal: controller.signal,
    pollIntervalMs: options.pollIntervalMs ?? 20,
  }).then((code) => ({ code, stdout, stderr }));
  return {
    done,
    stdout: () => stdout,
    stderr: () => stderr,
    abort: () => controller.abort(),
    waitForOutput: async (text, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (!stdout.includes(text)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(text)}; stdout so far:\n${stdout}\nstderr:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}

export function runBerth(args: string[], options: RunOptions = {}): Promise<BerthResult> {
  return startBerth(args, options).done;
}
