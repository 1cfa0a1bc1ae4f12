import fc from 'fast-check';
import { LineSplitter } from './line-splitter';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('LineSplitter', () => {
  it('yields complete lines only, keeping a partial line for the next chunk', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(bytes('{"a":1}\n{"b"'))).toEqual(['{"a":1}']);
    expect(splitter.push(bytes(':2}\r\n\n'))).toEqual(['{"b":2}']);
    expect(splitter.flush()).toEqual([]);
  });

  it('returns a last line without newline on flush', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(bytes('x\ny'))).toEqual(['x']);
    expect(splitter.flush()).toEqual(['y']);
  });

  it('gives the same lines however the bytes are chunked, multi-byte characters included (property)', () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', ' ', '{', '"'), minLength: 1, maxLength: 12 }).filter((l) => l.trim() !== '');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), fc.array(fc.nat(40), { maxLength: 10 }), (lines, cuts) => {
        const all = bytes(lines.map((l) => `${l}\n`).join(''));
        const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
        const splitter = new LineSplitter();
        const out: string[] = [];
        let start = 0;
        for (const point of [...points, all.length]) {
          out.push(...splitter.push(all.slice(start, point)));
          start = point;
        }
        out.push(...splitter.flush());
        expect(out).toEqual(lines);
      }),
    );
  });
});
