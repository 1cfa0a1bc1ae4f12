import fc from 'fast-check';
import { LineBatcher } from './line-batcher';

describe('LineBatcher', () => {
  it('keeps every line, in order, in batches within both bounds (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 60 }), { maxLength: 200 }), fc.integer({ min: 1, max: 20 }), (lines, maxLines) => {
        const batcher = new LineBatcher(maxLines, 200);
        const batches: string[][] = [];
        for (const line of lines) {
          const full = batcher.add(line);
          if (full) batches.push(full);
        }
        batches.push(batcher.drain());
        expect(batches.flat()).toEqual(lines);
        for (const batch of batches) {
          expect(batch.length).toBeLessThanOrEqual(maxLines);
          expect(batch.reduce((sum, line) => sum + Buffer.byteLength(line) + 8, 0)).toBeLessThanOrEqual(200);
        }
      }),
    );
  });

  it('cuts a line longer than a whole batch', () => {
    const batcher = new LineBatcher(10, 50);
    batcher.add('x'.repeat(500));
    expect(batcher.drain()[0]).toHaveLength(42);
  });
});
