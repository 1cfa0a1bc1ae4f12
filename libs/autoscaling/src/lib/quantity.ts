import { InvalidQuantity } from './autoscaling.errors';
import type { Quantity } from './types';

const SUFFIX_FACTORS: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY_PATTERN = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE])?$/;

/**
 * Parses a Kubernetes quantity ("250m", "1.5", "512Mi", "1e3") into a number in base units
 * (cores for cpu, bytes for memory). Numbers are returned unchanged.
 */
export function parseQuantity(quantity: Quantity): number {
  if (typeof quantity === 'number') {
    if (!Number.isFinite(quantity)) throw new InvalidQuantity(String(quantity));
    return quantity;
  }
  const match = QUANTITY_PATTERN.exec(quantity.trim());
  if (!match) throw new InvalidQuantity(quantity);
  const [, digits, suffix = ''] = match;
  const base = Number(digits);
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) return base * 10 ** Number(suffix.slice(1));
  return base * SUFFIX_FACTORS[suffix];
}

/**
 * Converts a base-unit value to integer milli-units the way resource.Quantity.MilliValue() does
 * (fractions of a milli round up), absorbing floating-point noise such as 0.1 * 1000.
 */
export function toMilli(value: number): number {
  const milli = value * 1000;
  const rounded = Math.round(milli);
  if (Math.abs(milli - rounded) <= 1e-9 * Math.max(1, Math.abs(milli))) return rounded;
  return Math.ceil(milli);
}

export function quantityToMilli(quantity: Quantity): number {
  return toMilli(parseQuantity(quantity));
}

export function fromMilli(milli: number): number {
  return milli / 1000;
}
