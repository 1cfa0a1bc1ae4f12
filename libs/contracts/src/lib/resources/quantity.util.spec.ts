import fc from 'fast-check';
import {
  compareQuantities,
  InvalidQuantity,
  isValidQuantity,
  parseCpuMillicores,
  parseMemoryBytes,
  parseQuantity,
  quantityErrors,
  QUANTITY_FORMAT_ERROR,
} from './quantity.util';

describe('quantities', () => {
  it.each([
    ['100m', 100],
    ['250m', 250],
    ['0.5', 500],
    ['0.7', 700],
    ['1', 1000],
    [2, 2000],
    [0.25, 250],
    ['1e3', 1_000_000],
    ['1k', 1_000_000],
    ['1.5', 1500],
    ['.5', 500],
    ['0.0001', 1],
    ['100000000n', 100],
    ['+2', 2000],
  ])('cpu %p is %p millicores', (quantity, millis) => {
    expect(parseCpuMillicores(quantity)).toBe(millis);
  });

  it.each([
    ['128Mi', 134_217_728],
    ['1Gi', 1_073_741_824],
    ['0.5Ki', 512],
    ['1G', 1_000_000_000],
    ['1M', 1_000_000],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1e+3', 1000],
    ['1.5', 2],
    [1024, 1024],
    ['1E', 1e18],
    ['1Ti', 2 ** 40],
    ['12345678901', 12_345_678_901],
  ])('memory %p is %p bytes', (quantity, bytes) => {
    expect(parseMemoryBytes(quantity)).toBe(bytes);
  });

  it('parses to base units keeping fractions', () => {
    expect(parseQuantity('100m')).toBeCloseTo(0.1, 12);
    expect(parseQuantity('128Mi')).toBe(134_217_728);
    expect(parseQuantity('-1')).toBe(-1);
    expect(parseQuantity('1e-3')).toBeCloseTo(0.001, 12);
  });

  it.each(['abc', '', '1mi', '1.2.3', '.', '1e', 'Mi', '1 Mi', '1Kii', '--1', '1e3.5', '0x10'])('rejects %p', (quantity) => {
    expect(isValidQuantity(quantity)).toBe(false);
    expect(() => parseQuantity(quantity)).toThrow(InvalidQuantity);
    expect(() => parseCpuMillicores(quantity)).toThrow(InvalidQuantity);
    expect(() => parseMemoryBytes(quantity)).toThrow(InvalidQuantity);
    expect(quantityErrors(quantity)).toEqual([QUANTITY_FORMAT_ERROR]);
  });

  it('rejects non-finite numbers and other types', () => {
    expect(isValidQuantity(Number.NaN)).toBe(false);
    expect(isValidQuantity(Number.POSITIVE_INFINITY)).toBe(false);
    expect(isValidQuantity(true)).toBe(false);
    expect(isValidQuantity(undefined)).toBe(false);
  });

  it('reports negative quantities the Kubernetes way', () => {
    expect(quantityErrors('-1Mi')).toEqual(['must be greater than or equal to 0']);
    expect(quantityErrors('0')).toEqual([]);
  });

  it('compares quantities across suffixes', () => {
    expect(compareQuantities('500m', '0.5')).toBe(0);
    expect(compareQuantities('1', '999m')).toBe(1);
    expect(compareQuantities('1G', '1Gi')).toBe(-1);
    expect(compareQuantities('1e3', '1k')).toBe(0);
  });

  it('is exact for integer and milli quantities (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (n) => {
        expect(parseCpuMillicores(`${n}m`)).toBe(n);
        expect(parseMemoryBytes(`${n}Ki`)).toBe(n * 1024);
        expect(parseMemoryBytes(`${n}k`)).toBe(n * 1000);
        const whole = Math.floor(n / 1000);
        const fraction = String(n % 1000).padStart(3, '0');
        expect(parseCpuMillicores(`${whole}.${fraction}`)).toBe(n);
      }),
    );
  });
});
