import { InvalidQuantity } from './autoscaling.errors';
import { parseQuantity, quantityToMilli, toMilli } from './quantity';

describe('parseQuantity', () => {
  it.each([
    ['250m', 0.25],
    ['1', 1],
    ['1.5', 1.5],
    ['100Mi', 100 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['2k', 2000],
    ['1M', 1e6],
    ['1e3', 1000],
    ['5E', 5e18],
    ['.5', 0.5],
    [42, 42],
  ])('reads %p as %p base units', (input, expected) => {
    expect(parseQuantity(input)).toBeCloseTo(expected, 9);
  });

  it.each(['', 'abc', '1.2.3', '10 m', '1KiB'])('rejects %p', (input) => {
    expect(() => parseQuantity(input)).toThrow(InvalidQuantity);
  });

  it('converts to milli-units without floating-point noise and rounds fractions up like MilliValue()', () => {
    expect(toMilli(0.1)).toBe(100);
    expect(toMilli(0.2 + 0.1)).toBe(300);
    expect(quantityToMilli('200m')).toBe(200);
    expect(quantityToMilli('0.1m')).toBe(1);
    expect(quantityToMilli('1Ki')).toBe(1024000);
  });
});
