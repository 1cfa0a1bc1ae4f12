import fc from 'fast-check';
import { TimerQueue } from './timer-queue';

describe('TimerQueue', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs every timer at its due time, in due order, ties in scheduling order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 60 }), (delays) => {
        const queue = new TimerQueue();
        const fired: { index: number; at: number }[] = [];
        const start = Date.now();
        delays.forEach((delay, index) => queue.schedule(delay, () => fired.push({ index, at: Date.now() - start })));
        jest.advanceTimersByTime(501);
        const expected = delays.map((delay, index) => ({ delay, index })).sort((a, b) => a.delay - b.delay || a.index - b.index);
        expect(fired.map((f) => f.index)).toEqual(expected.map((e) => e.index));
        fired.forEach((f) => expect(f.at).toBe(delays[f.index]));
        queue.close();
      }),
    );
  });

  it('skips cancelled timers and keeps working after mass cancellation', () => {
    const queue = new TimerQueue();
    const fired: number[] = [];
    const cancels = Array.from({ length: 200 }, (_, i) => queue.schedule(10 + i, () => fired.push(i)));
    cancels.forEach((cancel, i) => i % 3 !== 0 && cancel());
    expect(queue.size).toBe(67);
    jest.advanceTimersByTime(300);
    expect(fired).toEqual(Array.from({ length: 200 }, (_, i) => i).filter((i) => i % 3 === 0));
    expect(queue.size).toBe(0);
  });

  it('lets a timer schedule another, and reports a throwing one without stopping the rest', () => {
    const errors: unknown[] = [];
    const queue = new TimerQueue((error) => errors.push(error));
    const fired: string[] = [];
    queue.schedule(5, () => {
      throw new Error('boom');
    });
    queue.schedule(5, () => queue.schedule(5, () => fired.push('chained')));
    queue.schedule(20, () => fired.push('late'));
    jest.advanceTimersByTime(11);
    expect(fired).toEqual(['chained']);
    expect(errors).toHaveLength(1);
    jest.advanceTimersByTime(10);
    expect(fired).toEqual(['chained', 'late']);
  });

  it('runs nothing after close', () => {
    const queue = new TimerQueue();
    const fired: number[] = [];
    queue.schedule(1, () => fired.push(1));
    queue.close();
    queue.schedule(1, () => fired.push(2));
    jest.advanceTimersByTime(10);
    expect(fired).toEqual([]);
  });
});
