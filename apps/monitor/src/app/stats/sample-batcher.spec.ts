import { SampleBatcher } from './sample-batcher';

describe('SampleBatcher', () => {
  it('writes in batches of at most maxBatch, one write at a time, in order', async () => {
    const writes: number[][] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    const batcher = new SampleBatcher<number>(
      async (batch) => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((r) => setTimeout(r, 5));
        writes.push(batch);
        concurrent--;
      },
      { maxBatch: 4, flushIntervalMs: 60_000 },
    );
    batcher.add([1, 2, 3]);
    expect(writes).toHaveLength(0);
    batcher.add([4, 5]);
    batcher.add([6, 7, 8, 9, 10]);
    await batcher.stop();
    expect(writes.flat()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(writes.every((b) => b.length <= 4)).toBe(true);
    expect(maxConcurrent).toBe(1);
  });

  it('flushes on its timer', async () => {
    const writes: number[][] = [];
    const batcher = new SampleBatcher<number>(async (batch) => void writes.push(batch), { maxBatch: 100, flushIntervalMs: 10 });
    batcher.start();
    batcher.add([1, 2]);
    await new Promise((r) => setTimeout(r, 50));
    expect(writes).toEqual([[1, 2]]);
    await batcher.stop();
  });

  it('keeps a failed batch for the next flush and drops the oldest when the buffer overflows', async () => {
    let fail = true;
    const written: number[] = [];
    const errors: number[] = [];
    const batcher = new SampleBatcher<number>(
      async (batch) => {
        if (fail) throw new Error('database down');
        written.push(...batch);
      },
      { maxBatch: 3, flushIntervalMs: 60_000, maxBuffered: 5, onError: (_e, n) => errors.push(n) },
    );
    batcher.add([1, 2]);
    await batcher.flush();
    expect(errors).toEqual([2]);
    expect(batcher.pending).toBe(2);
    batcher.add([3, 4, 5, 6, 7]);
    await batcher.flush();
    expect(batcher.dropped).toBe(2);
    fail = false;
    await batcher.stop();
    expect(written).toEqual([3, 4, 5, 6, 7]);
  });
});
