import { age, describeTime, humanDuration } from './age.format';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe('humanDuration (kubectl ages)', () => {
  it.each([
    [0, '0s'],
    [-1500, '0s'],
    [-5 * s, '<invalid>'],
    [5 * s, '5s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [3 * m + 20 * s, '3m20s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [2 * h + 10 * m, '130m'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h + 30 * m, '8h'],
    [47 * h, '47h'],
    [4 * d, '4d'],
    [4 * d + 5 * h, '4d5h'],
    [8 * d, '8d'],
    [400 * d, '400d'],
    [2 * 365 * d, '2y'],
    [2 * 365 * d + 10 * d, '2y10d'],
    [9 * 365 * d, '9y'],
  ])('%d ms -> %s', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });
});

describe('age', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  it('is the time since an RFC 3339 timestamp', () => {
    expect(age('2024-05-01T11:55:00Z', now)).toBe('5m');
    expect(age('2024-04-27T12:00:00Z', now)).toBe('4d');
  });
  it('is <unknown> without a usable timestamp', () => {
    expect(age(undefined, now)).toBe('<unknown>');
    expect(age('yesterday', now)).toBe('<unknown>');
  });
});

describe('describeTime', () => {
  it('prints RFC 1123 with a numeric zone, in UTC', () => {
    expect(describeTime('2024-05-01T09:03:07+02:00')).toBe('Wed, 01 May 2024 07:03:07 +0000');
    expect(describeTime(undefined)).toBe('<unset>');
  });
});
