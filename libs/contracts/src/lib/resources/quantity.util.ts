/**
 * Kubernetes resource quantities ("100m", "0.5", "128Mi", "1G", "1e3"), parsed
 * exactly (BigInt) so "0.7" cpu is 700 millicores, not 700.0000000000001.
 */

/** The pattern Kubernetes quotes in its error message. */
export const QUANTITY_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${QUANTITY_PATTERN}'`;

const QUANTITY_RE = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

const BINARY_POWERS: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_EXPONENTS: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

// Beyond these an exact BigInt product is pointless (and costly); floats are good enough.
const MAX_EXACT_DIGITS = 60;
const MAX_EXACT_EXPONENT = 120;

export class InvalidQuantity extends Error {
  override readonly name = 'InvalidQuantity';

  constructor(readonly quantity: unknown) {
    super(`invalid quantity ${JSON.stringify(String(quantity))}: ${QUANTITY_FORMAT_ERROR}`);
  }
}

interface ParsedQuantity {
  negative: boolean;
  /** All digits of the number without the decimal point. */
  digits: string;
  /** How many of `digits` are after the decimal point. */
  fractionDigits: number;
  /** Power of ten from the suffix or exponent. */
  exponent10: number;
  /** Power of two from a binary suffix. */
  exponent2: number;
}

function parse(quantity: string | number): ParsedQuantity | undefined {
  const text = typeof quantity === 'number' ? numberToText(quantity) : quantity;
  if (text === undefined) return undefined;
  const match = QUANTITY_RE.exec(text);
  if (!match) return undefined;
  const [, sign, number, suffix = ''] = match;
  const [whole, fraction = ''] = number.split('.');
  let exponent10 = 0;
  let exponent2 = 0;
  if (suffix in BINARY_POWERS) exponent2 = BINARY_POWERS[suffix];
  else if (suffix in DECIMAL_EXPONENTS) exponent10 = DECIMAL_EXPONENTS[suffix];
  else exponent10 = Number(suffix.slice(1));
  if (!Number.isFinite(exponent10)) return undefined;
  return { negative: sign === '-', digits: `${whole}${fraction}`.replace(/^0+(?=\d)/, ''), fractionDigits: fraction.length, exponent10, exponent2 };
}

function numberToText(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  return String(value).replace('e+', 'e');
}

export function isValidQuantity(quantity: unknown): quantity is string | number {
  return (typeof quantity === 'string' || typeof quantity === 'number') && parse(quantity) !== undefined;
}

/** Value times 10^scale, rounded up (away from zero) like Quantity.ScaledValue. */
function scaled(p: ParsedQuantity, scale: number): number {
  const exponent = p.exponent10 + scale - p.fractionDigits;
  const sign = p.negative ? -1 : 1;
  if (p.digits.length > MAX_EXACT_DIGITS || Math.abs(exponent) > MAX_EXACT_EXPONENT) {
    return sign * Math.ceil(Number(p.digits) * 10 ** exponent * 2 ** p.exponent2);
  }
  let numerator = BigInt(p.digits) * 2n ** BigInt(p.exponent2);
  let denominator = 1n;
  if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator = 10n ** BigInt(-exponent);
  const quotient = numerator / denominator;
  const rounded = numerator % denominator === 0n ? quotient : quotient + 1n;
  return sign * Number(rounded);
}

/** The quantity in base units (cores, bytes, ...); fractional values are kept. Throws InvalidQuantity. */
export function parseQuantity(quantity: string | number): number {
  const p = parse(quantity);
  if (!p) throw new InvalidQuantity(quantity);
  const sign = p.negative ? -1 : 1;
  return sign * Number(`${p.digits || '0'}e${p.exponent10 - p.fractionDigits}`) * 2 ** p.exponent2;
}

/** CPU in millicores, rounded up like Kubernetes (`0.1` -> 100, `250m` -> 250, `1` -> 1000). Throws InvalidQuantity. */
export function parseCpuMillicores(quantity: string | number): number {
  const p = parse(quantity);
  if (!p) throw new InvalidQuantity(quantity);
  return scaled(p, 3);
}

/** Memory in bytes, rounded up (`128Mi` -> 134217728, `1G` -> 1e9). Throws InvalidQuantity. */
export function parseMemoryBytes(quantity: string | number): number {
  const p = parse(quantity);
  if (!p) throw new InvalidQuantity(quantity);
  return scaled(p, 0);
}

/** Compares two valid quantities: negative, zero or positive like a comparator. */
export function compareQuantities(a: string | number, b: string | number): number {
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) throw new InvalidQuantity(pa ? b : a);
  // Nano-units are the finest suffix, so comparing at scale 9 is exact for every real quantity.
  return Math.sign(scaled(pa, 9) - scaled(pb, 9));
}

/** Problems with a quantity, in Kubernetes wording (empty when valid and non-negative). */
export function quantityErrors(quantity: unknown): string[] {
  if (!isValidQuantity(quantity)) return [QUANTITY_FORMAT_ERROR];
  return parseQuantity(quantity) < 0 ? ['must be greater than or equal to 0'] : [];
}
