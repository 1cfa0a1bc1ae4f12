import type { LogLine } from './container-runtime';

export type StdStream = 'stdout' | 'stderr';

export interface StreamChunk {
  stream: StdStream;
  data: Buffer;
}

const HEADER_BYTES = 8;

/**
 * Splits the engine's multiplexed attach/logs stream (8-byte frame headers) into chunks.
 * A container created with a TTY sends raw bytes instead: that is detected and passed as stdout.
 */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private mode: 'unknown' | 'multiplexed' | 'raw' = 'unknown';

  push(chunk: Buffer): StreamChunk[] {
    if (this.mode === 'raw') return chunk.length ? [{ stream: 'stdout', data: chunk }] : [];
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    if (this.mode === 'unknown') {
      if (this.pending.length < HEADER_BYTES) return [];
      this.mode = looksLikeHeader(this.pending) ? 'multiplexed' : 'raw';
      if (this.mode === 'raw') return this.takeAll();
    }
    const out: StreamChunk[] = [];
    while (this.pending.length >= HEADER_BYTES) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER_BYTES + size) break;
      const stream: StdStream = this.pending[0] === 2 ? 'stderr' : 'stdout';
      out.push({ stream, data: this.pending.subarray(HEADER_BYTES, HEADER_BYTES + size) });
      this.pending = this.pending.subarray(HEADER_BYTES + size);
    }
    return out;
  }

  /** What is left when the source ends: a short raw stream, never half a frame. */
  end(): StreamChunk[] {
    return this.mode === 'unknown' ? this.takeAll() : [];
  }

  private takeAll(): StreamChunk[] {
    const data = this.pending;
    this.pending = Buffer.alloc(0);
    return data.length ? [{ stream: 'stdout', data }] : [];
  }
}

function looksLikeHeader(buffer: Buffer): boolean {
  return buffer[0] <= 2 && buffer[1] === 0 && buffer[2] === 0 && buffer[3] === 0;
}

export interface RawLine {
  stream: StdStream;
  line: string;
}

/** Reassembles lines per stream; a line longer than maxLineBytes is cut into several. */
export class LineAssembler {
  private readonly partial: Record<StdStream, Buffer[]> = { stdout: [], stderr: [] };
  private readonly partialBytes: Record<StdStream, number> = { stdout: 0, stderr: 0 };

  constructor(private readonly maxLineBytes = 16 * 1024) {}

  push({ stream, data }: StreamChunk): RawLine[] {
    const out: RawLine[] = [];
    let rest = data;
    for (;;) {
      const newline = rest.indexOf(0x0a);
      const room = this.maxLineBytes - this.partialBytes[stream];
      if (newline === -1 || newline > room) {
        if (rest.length <= room) break;
        this.append(stream, rest.subarray(0, room));
        out.push(this.take(stream));
        rest = rest.subarray(room);
        continue;
      }
      this.append(stream, rest.subarray(0, newline));
      out.push(this.take(stream));
      rest = rest.subarray(newline + 1);
    }
    if (rest.length) this.append(stream, rest);
    return out;
  }

  flush(): RawLine[] {
    return (['stdout', 'stderr'] as const).filter((s) => this.partialBytes[s] > 0).map((s) => this.take(s));
  }

  private append(stream: StdStream, data: Buffer): void {
    this.partial[stream].push(data);
    this.partialBytes[stream] += data.length;
  }

  private take(stream: StdStream): RawLine {
    let line = Buffer.concat(this.partial[stream]).toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    this.partial[stream] = [];
    this.partialBytes[stream] = 0;
    return { stream, line };
  }
}

export interface DemuxOptions {
  limitBytes?: number;
  timestamps?: boolean;
  maxLineBytes?: number;
}

/** Engine log bytes -> LogLine, stopping (and so closing the source) once limitBytes are out. */
export async function* demuxLines(
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  options: DemuxOptions = {}): AsyncGenerator<LogLine> {
  const decoder = new FrameDecoder();
  const lines = new LineAssembler(options.maxLineBytes);
  let budget = options.limitBytes ?? Infinity;
  const emit = function* (raw: RawLine[]): Generator<LogLine, boolean> {
    for (const { stream, line } of raw) {
      const parsed = options.timestamps ? splitTimestamp(line) : { line };
      const bytes = Buffer.byteLength(parsed.line) + 1;
      if (bytes > budget) {
        const cut = Buffer.from(parsed.line).subarray(0, Math.max(0, budget)).toString('utf8');
        if (cut) yield { stream, ...parsed, line: cut };
        return false;
      }
      budget -= bytes;
      yield { stream, ...parsed };
    }
    return true;
  };
  for await (const chunk of source) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (const piece of decoder.push(buffer)) {
      if (!(yield* emit(lines.push(piece)))) return;
    }
  }
  for (const piece of decoder.end()) {
    if (!(yield* emit(lines.push(piece)))) return;
  }
  yield* emit(lines.flush());
}

function splitTimestamp(line: string): { line: string; timestamp?: string } {
  const space = line.indexOf(' ');
  if (space <= 0 || !/^\d{4}-\d\d-\d\dT/.test(line)) return { line };
  return { timestamp: line.slice(0, space), line: line.slice(space + 1) };
}
