import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { pipeline as pipelineCallback, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { CliIo } from '../cli-context';
import { CliError } from '../commands/cli.errors';

/** The first two bytes of every gzip stream. */
const GZIP_MAGIC = [0x1f, 0x8b];

export function isTerminal(stream: unknown): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** stdout as a Writable: the process's own stream (with its backpressure), or a wrapper around the test harness's. */
function stdoutWritable(stdout: CliIo['stdout']): { stream: Writable; own: boolean } {
  if (stdout instanceof Writable) return { stream: stdout, own: true };
  return {
    stream: new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        stdout.write(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
        callback();
      },
    }),
    own: false,
  };
}

/**
 * Writes the backup's text to a file or stdout, gzipped if asked. A file is written as
 * `FILE.partial` (mode 0600: a backup holds token hashes), synced and then renamed, so FILE is
 * either the previous one or a complete new backup, never half of one.
 */
export async function writeBackupOutput(chunks: AsyncIterable<string>, target: { file?: string; gzip: boolean }, stdout: CliIo['stdout']): Promise<void> {
  if (target.file === undefined) {
    const { stream, own } = stdoutWritable(stdout);
    // The process's stdout is never ended: other output may follow, and Node refuses to close it.
    if (target.gzip) await pipeline(chunks, createGzip(), stream, { end: !own });
    else await pipeline(chunks, stream, { end: !own });
    return;
  }
  const partial = `${target.file}.partial`;
  let file;
  try {
    file = createWriteStream(partial, { mode: 0o600 });
    await once(file, 'open');
  } catch (error) {
    throw new CliError(`cannot write -f ${target.file}: ${(error as Error).message}`);
  }
  try {
    if (target.gzip) await pipeline(chunks, createGzip(), file);
    else await pipeline(chunks, file);
    // On disk before it takes the name: a crash right after must not leave an empty "complete" file.
    const handle = await open(partial, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(partial, target.file);
  } catch (error) {
    file.destroy();
    await rm(partial, { force: true });
    throw error;
  }
}

function toBuffer(chunk: string | Uint8Array): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Bytes of the backup from a file or stdin (`-`), gunzipped when they start like gzip. */
export async function readBackupInput(file: string, stdin: CliIo['stdin']): Promise<AsyncIterable<Buffer>> {
  if (file === '-') return gunzipIfNeeded(stdin);
  try {
    const handle = await open(file, 'r');
    return gunzipIfNeeded(handle.createReadStream());
  } catch (error) {
    throw new CliError(`cannot read -f ${file}: ${(error as Error).message}`);
  }
}

async function* gunzipIfNeeded(source: AsyncIterable<string | Uint8Array>): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    let head = Buffer.alloc(0);
    while (head.length < GZIP_MAGIC.length) {
      const next = await iterator.next();
      if (next.done) break;
      head = Buffer.concat([head, toBuffer(next.value)]);
    }
    async function* rest(): AsyncGenerator<Buffer> {
      if (head.length > 0) yield head;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield toBuffer(next.value);
      }
    }
    if (head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) {
      yield* rest();
      return;
    }
    // The callback form returns the last stream; a failure anywhere surfaces while reading it.
    const gunzip = pipelineCallback(Readable.from(rest()), createGunzip(), () => undefined);
    try {
      for await (const chunk of gunzip) yield chunk as Buffer;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR') {
        throw new CliError(`the backup's gzip data is damaged (${(error as Error).message}): the file is truncated or corrupted; nothing was restored`);
      }
      throw error;
    }
  } finally {
    await iterator.return?.();
  }
}
