import { z } from 'zod';
import { FieldErrorType, mapKey } from './field-error.model';
import {
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  TOTAL_ANNOTATION_SIZE_LIMIT,
} from './name-validation.util';
import { isValidQuantity, parseQuantity, QUANTITY_FORMAT_ERROR } from './quantity.util';

/**
 * Building blocks for the resource schemas: zod does the typing, these helpers
 * report problems as Kubernetes field errors (carried in zod custom issues).
 */

export type PathSegment = string | number;
type RelativePath = PathSegment | readonly PathSegment[];

/** What a custom issue carries in `params.fieldError`. */
export interface FieldErrorParams {
  type: FieldErrorType;
  value?: unknown;
  detail?: string;
  supported?: readonly string[];
}

export interface FieldReporter {
  required(path: RelativePath, detail?: string): void;
  invalid(path: RelativePath, value: unknown, detail: string): void;
  notSupported(path: RelativePath, value: unknown, supported: readonly string[]): void;
  duplicate(path: RelativePath, value: unknown, detail?: string): void;
  forbidden(path: RelativePath, detail: string): void;
  tooLong(path: RelativePath, maxBytes: number): void;
  tooMany(path: RelativePath, actual: number, max: number): void;
}

function reporterFor(payload: z.core.ParsePayload): FieldReporter {
  const push = (path: RelativePath, fieldError: FieldErrorParams): void => {
    payload.issues.push({
      code: 'custom',
      message: fieldError.detail ?? fieldError.type,
      input: fieldError.value,
      path: typeof path === 'object' ? [...path] : [path],
      params: { fieldError },
      // Keep validating so one response lists every bad field.
      continue: true,
    });
  };
  return {
    required: (path, detail) => push(path, { type: 'Required', detail }),
    invalid: (path, value, detail) => push(path, { type: 'Invalid', value, detail }),
    notSupported: (path, value, supported) => push(path, { type: 'NotSupported', value, supported }),
    duplicate: (path, value, detail) => push(path, { type: 'Duplicate', value, detail }),
    forbidden: (path, detail) => push(path, { type: 'Forbidden', detail }),
    tooLong: (path, maxBytes) => push(path, { type: 'TooLong', detail: `may not be more than ${maxBytes} bytes` }),
    tooMany: (path, actual, max) => push(path, { type: 'TooMany', value: actual, detail: `must have at most ${max} items` }),
  };
}

/** Field-level rules: run once the value has the right type. */
export function rules<T extends z.ZodType>(schema: T, fn: (value: z.output<T>, r: FieldReporter) => void): T {
  return schema.check((payload) => fn(payload.value as z.output<T>, reporterFor(payload)));
}

/**
 * Cross-field rules: run even when fields inside are broken, so the answer lists
 * every problem at once; `value` is therefore unchecked and read through the accessors below.
 */
export function crossRules<T extends z.ZodType>(schema: T, fn: (value: unknown, r: FieldReporter) => void): T {
  return schema.check(z.core._check((payload) => fn(payload.value, reporterFor(payload)), { when: () => true }));
}

/** A missing object is validated as `{}` so the errors name the fields inside, as Kubernetes does. */
export function orEmpty<T extends z.ZodType>(schema: T) {
  return schema.prefault(() => ({}) as z.input<T>);
}

// Accessors for unchecked values inside crossRules.
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
export function asStringMap(value: unknown): Record<string, string> | undefined {
  const record = asRecord(value);
  if (!record) return undefined;
  return Object.values(record).every((v) => typeof v === 'string') ? (record as Record<string, string>) : undefined;
}

export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

const MAX_INT32 = 2 ** 31 - 1;
const MIN_INT32 = -(2 ** 31);

/** A string Kubernetes treats as missing when empty (Go's zero value), then checked by `validate`. */
export function requiredString(validate?: (value: string) => readonly string[]) {
  return rules(z.string(), (value, r) => {
    if (value === '') return r.required([]);
    for (const msg of validate?.(value) ?? []) r.invalid([], value, msg);
  });
}

/** An optional string checked by `validate` when non-empty. */
export function formattedString(validate: (value: string) => readonly string[]) {
  return rules(z.string(), (value, r) => {
    if (value === '') return;
    for (const msg of validate(value)) r.invalid([], value, msg);
  });
}

/** A string that must be set and valid even when empty (label names, topology keys). */
export function checkedString(validate: (value: string) => readonly string[], emptyDetail?: string) {
  return rules(z.string(), (value, r) => {
    if (value === '' && emptyDetail !== undefined) return r.required([], emptyDetail);
    for (const msg of validate(value)) r.invalid([], value, msg);
  });
}

/** A (safe) integer; wrong types read "must be an integer" rather than zod's "expected number". */
export function integer() {
  return z.int({ error: (issue) => (issue.input === undefined ? undefined : 'must be an integer') });
}

export function int32(check?: (value: number, r: FieldReporter) => void) {
  return rules(integer(), (value, r) => {
    if (value > MAX_INT32) return r.invalid([], value, `must be less than or equal to ${MAX_INT32}`);
    if (value < MIN_INT32) return r.invalid([], value, `must be greater than or equal to ${MIN_INT32}`);
    check?.(value, r);
  });
}

export function nonNegativeInt() {
  return int32((value, r) => {
    if (value < 0) r.invalid([], value, 'must be greater than or equal to 0');
  });
}

export function positiveInt(detail = 'must be greater than 0') {
  return int32((value, r) => {
    if (value <= 0) r.invalid([], value, detail);
  });
}

export function portNumber() {
  return int32((value, r) => {
    for (const msg of isValidPortNum(value)) r.invalid([], value, msg);
  });
}

/** Kubernetes IntOrString. */
export const intOrString = () => z.union([integer(), z.string()]);
export type IntOrString = number | string;

/** A port given by number (1-65535) or by IANA service name. */
export function portNumberOrName() {
  return rules(intOrString(), (value, r) => {
    const errors = typeof value === 'number' ? isValidPortNum(value) : isValidPortName(value);
    for (const msg of errors) r.invalid([], value, msg);
  });
}

/** RFC 3339 time as Kubernetes serialises metav1.Time. */
export function timestamp() {
  return rules(z.string(), (value, r) => {
    if (!/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
      r.invalid([], value, 'must be an RFC 3339 date-time (e.g. 2024-01-31T12:00:00Z)');
    }
  });
}

/**
 * A map of strings. Entries whose value is not a string are reported under their key;
 * `checkEntry` reports syntax problems (Kubernetes reports those against the whole map).
 */
export function stringMap(checkEntry?: (key: string, value: string, r: FieldReporter) => void) {
  return rules(z.record(z.string(), z.unknown()), (map, r) => {
    for (const [key, value] of Object.entries(map)) {
      if (typeof value !== 'string') r.invalid([mapKey(key)], value, 'must be a string');
      else checkEntry?.(key, value, r);
    }
    // Transforms run only without issues, so every value was checked to be a string above.
  }).transform((map) => map as Record<string, string>);
}

/** Labels (and nodeSelector, selectors): qualified-name keys, label-syntax values. */
export function labelsMap() {
  return stringMap((key, value, r) => {
    for (const msg of isQualifiedName(key)) r.invalid([], key, msg);
    for (const msg of isValidLabelValue(value)) r.invalid([], value, msg);
  });
}

export function annotationsMap() {
  return rules(
    stringMap((key, _value, r) => {
      for (const msg of isQualifiedName(key.toLowerCase())) r.invalid([], key, msg);
    }),
    (map, r) => {
      let size = 0;
      for (const [key, value] of Object.entries(map)) size += key.length + value.length;
      if (size > TOTAL_ANNOTATION_SIZE_LIMIT) r.tooLong([], TOTAL_ANNOTATION_SIZE_LIMIT);
    },
  );
}

/** A quantity given as a YAML string or number; output as a string ("0.5", "128Mi"). */
export function quantity() {
  return rules(z.union([z.string(), z.number()]), (value, r) => {
    if (!isValidQuantity(value)) r.invalid([], value, QUANTITY_FORMAT_ERROR);
  }).transform((value) => String(value));
}

/** Positive quantity (HPA targets). */
export function positiveQuantity() {
  return rules(quantity(), (value, r) => {
    if (isValidQuantity(value) && parseQuantity(value) <= 0) r.invalid([], value, 'must be positive');
  });
}

const STANDARD_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage', 'pods', 'storage']);
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

/**
 * A ResourceList (`{cpu: "500m", memory: "128Mi"}`): entry problems are reported
 * under `[name]` like Kubernetes (`resources.limits[cpu]`).
 */
export function resourceList(scope: 'container' | 'node') {
  const standard = scope === 'container' ? STANDARD_CONTAINER_RESOURCES : STANDARD_RESOURCES;
  const notStandard = scope === 'container' ? 'must be a standard resource for containers' : 'must be a standard resource type or fully qualified';
  return rules(z.record(z.string(), z.unknown()), (list, r) => {
    for (const [name, value] of Object.entries(list)) {
      const path = [mapKey(name)];
      for (const msg of isQualifiedName(name)) r.invalid(path, name, msg);
      if (!name.includes('/') && !standard.has(name) && !name.startsWith('hugepages-')) r.invalid(path, name, notStandard);
      if (!isValidQuantity(value)) r.invalid(path, value, QUANTITY_FORMAT_ERROR);
      else if (parseQuantity(value) < 0) r.invalid(path, String(value), 'must be greater than or equal to 0');
    }
  }).transform((list) => Object.fromEntries(Object.entries(list).map(([name, value]) => [name, String(value)])));
}

/** Calls `report` for every item whose key was already seen earlier in the list. */
export function reportDuplicates<T>(
  items: readonly T[],
  keyOf: (item: T) => string | undefined,
  report: (index: number, key: string) => void,
): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    if (key === undefined) return;
    if (seen.has(key)) report(index, key);
    else seen.add(key);
  });
}
