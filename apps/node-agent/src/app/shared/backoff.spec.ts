import fc from 'fast-check';
import { ExponentialBackoff } from './backoff';

describe('ExponentialBackoff', () => {
  it('doubles from the initial delay to the cap, and starts over after reset', () => {
    const backoff = new ExponentialBackoff({ initialMs: 100, maxMs: 1_000 });
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(backoff.attempts).toBe(6);
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.peek()).toBe(100);
    expect(backoff.next()).toBe(100);
  });

  it('never goes below (1 - jitter) of the delay nor above the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 1, noNaN: true }), (initial, capFactor, jitter) => {
        const backoff = new ExponentialBackoff({ initialMs: initial, maxMs: initial * capFactor, jitter });
        let expected = initial;
        for (let i = 0; i < 12; i++) {
          const delay = backoff.next();
          expect(delay).toBeLessThanOrEqual(expected);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(expected * (1 - jitter)));
          expected = Math.min(initial * capFactor, expected * 2);
        }
      }),
    );
  });

  it('rejects a cap below the initial delay', () => {
    expect(() => new ExponentialBackoff({ initialMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});
