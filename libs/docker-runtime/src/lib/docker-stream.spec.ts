import fc from 'fast-check';
import type { LogLine } from './container-runtime';
import { demuxLines, FrameDecoder, LineAssembler } from './docker-stream';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function collect(chunks: Buffer[], options = {}): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const line of demuxLines(chunks, options)) out.push(line);
  return out;
}

function splitAt(buffer: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buffer.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    pieces.push(buffer.subarray(last, p));
    last = p;
  }
  pieces.push(buffer.subarray(last));
  return pieces;
}

describe('demuxLines', () => {
  it('gives the same lines however the engine stream is chunked', async () => {
    const whole = Buffer.concat([frame(1, 'hello\nwor'), frame(2, 'oops\n'), frame(1, 'ld\n'), frame(1, 'é tail')]);
    const expected: LogLine[] = [
      { stream: 'stdout', line: 'hello' },
      { stream: 'stderr', line: 'oops' },
      { stream: 'stdout', line: 'world' },
      { stream: 'stdout', line: 'é tail' },
    ];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 10 }), async (cuts) => {
        expect(await collect(splitAt(whole, cuts))).toEqual(expected);
      }),
    );
  });

  it('passes a TTY (unframed) stream through as stdout', async () => {
    expect(await collect([Buffer.from('plain text\nsecond\n')])).toEqual([
      { stream: 'stdout', line: 'plain text' },
      { stream: 'stdout', line: 'second' },
    ]);
  });

  it('stops at limitBytes', async () => {
    const lines = await collect([frame(1, 'aaaa\nbbbb\ncccc\n')], { limitBytes: 7 });
    expect(lines).toEqual([
      { stream: 'stdout', line: 'aaaa' },
      { stream: 'stdout', line: 'bb' },
    ]);
  });

  it('splits the engine timestamp off when asked', async () => {
    const lines = await collect([frame(1, '2026-01-02T03:04:05.123456789Z hi there\n')], { timestamps: true });
    expect(lines).toEqual([{ stream: 'stdout', line: 'hi there', timestamp: '2026-01-02T03:04:05.123456789Z' }]);
  });

  it('closes the source when the limit is reached', async () => {
    let returned = false;
    async function* endless(): AsyncGenerator<Buffer> {
      try {
        for (;;) yield frame(1, 'x\n');
      } finally {
        returned = true;
      }
    }
    const out: LogLine[] = [];
    for await (const line of demuxLines(endless(), { limitBytes: 10 })) out.push(line);
    expect(out).toHaveLength(5);
    expect(returned).toBe(true);
  });
});

describe('LineAssembler', () => {
  it('cuts a line longer than the maximum', () => {
    const lines = new LineAssembler(4);
    expect(lines.push({ stream: 'stdout', data: Buffer.from('abcdefghij\nk') })).toEqual([
      { stream: 'stdout', line: 'abcd' },
      { stream: 'stdout', line: 'efgh' },
      { stream: 'stdout', line: 'ij' },
    ]);
    expect(lines.flush()).toEqual([{ stream: 'stdout', line: 'k' }]);
  });
});

describe('FrameDecoder', () => {
  it('waits for a whole frame', () => {
    const decoder = new FrameDecoder();
    const bytes = frame(2, 'abc');
    expect(decoder.push(bytes.subarray(0, 9))).toEqual([]);
    expect(decoder.push(bytes.subarray(9))).toEqual([{ stream: 'stderr', data: Buffer.from('abc') }]);
    expect(decoder.end()).toEqual([]);
  });
});
