import { InvalidIntOrPercent, resolveFenceposts, scaledValue } from './rollout-math';

describe('rollout math (Kubernetes fenceposts)', () => {
  it.each([
    ['25%', '25%', 3, 1, 0],
    ['25%', '25%', 4, 1, 1],
    ['25%', '25%', 10, 3, 2],
    ['50%', '50%', 5, 3, 2],
    ['10%', '10%', 30, 3, 3],
    [1, 0, 3, 1, 0],
    [0, 2, 3, 0, 2],
    ['0%', '0%', 10, 0, 1],
    [0, 0, 3, 0, 1],
    ['100%', '100%', 7, 7, 7],
  ] as const)('maxSurge %s, maxUnavailable %s of %d -> surge %d, unavailable %d', (surge, unavailable, desired, s, u) => {
    expect(resolveFenceposts(surge, unavailable, desired)).toEqual({ maxSurge: s, maxUnavailable: u });
  });

  it('rounds percentages exactly (no float drift)', () => {
    expect(scaledValue('10%', 30, true)).toBe(3);
    expect(scaledValue('10%', 30, false)).toBe(3);
    expect(scaledValue('33%', 3, true)).toBe(1);
    expect(scaledValue('33%', 3, false)).toBe(0);
  });

  it('refuses a string that is not a percentage', () => {
    expect(() => scaledValue('5', 10, true)).toThrow(InvalidIntOrPercent);
  });
});
