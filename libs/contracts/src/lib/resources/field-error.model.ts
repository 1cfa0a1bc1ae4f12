/**
 * Kubernetes-style field errors (k8s.io/apimachinery/pkg/util/validation/field):
 * one per bad field, rendered as `<path>: <Type>: <value>: <detail>`.
 */
export const FIELD_ERROR_TYPES = [
  'Required',
  'Invalid',
  'NotSupported',
  'Duplicate',
  'Forbidden',
  'TooLong',
  'TooMany',
] as const;
export type FieldErrorType = (typeof FIELD_ERROR_TYPES)[number];

export interface FieldError {
  type: FieldErrorType;
  /** Kubernetes field path, e.g. `spec.template.spec.containers[0].image`. */
  field: string;
  /** The offending value; not printed for Required, Forbidden and TooLong (as in Kubernetes). */
  value?: unknown;
  detail?: string;
  /** Allowed values, for NotSupported. */
  supported?: readonly string[];
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  Required: 'Required value',
  Invalid: 'Invalid value',
  NotSupported: 'Unsupported value',
  Duplicate: 'Duplicate value',
  Forbidden: 'Forbidden',
  TooLong: 'Too long',
  TooMany: 'Too many',
};

const VALUELESS_TYPES: ReadonlySet<FieldErrorType> = new Set(['Required', 'Forbidden', 'TooLong']);

// A bad value can be megabytes long; the message only needs enough to recognise it.
const MAX_VALUE_TEXT = 1024;

/** Joins path segments the Kubernetes way: `a.b[0].c`; segments already in brackets (map keys) are appended as is. */
export function formatFieldPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'symbol') out += `[${segment.description ?? ''}]`;
    else if (segment.startsWith('[')) out += segment;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** Marks a map key as a path segment (`limits[cpu]`), like field.Path.Key in Kubernetes. */
export function mapKey(key: string): string {
  return `[${key}]`;
}

/** Renders a bad value roughly as Go's %q / %v / %#v would. */
export function formatValue(value: unknown): string {
  const text = rawFormatValue(value);
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT)}...(truncated)` : text;
}

function rawFormatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return 'null';
  if (isStringMap(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${JSON.stringify(value[key])}`);
    return `map[string]string{${entries.join(', ')}}`;
  }
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    return '<unprintable>';
  }
}

function isStringMap(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const values = Object.values(value);
  return values.length > 0 && values.every((v) => typeof v === 'string');
}

/** `spec.replicas: Invalid value: -1: must be greater than or equal to 0` */
export function formatFieldError(error: FieldError): string {
  let body = TYPE_TEXT[error.type];
  if (!VALUELESS_TYPES.has(error.type)) body += `: ${formatValue(error.value)}`;
  const detail =
    error.type === 'NotSupported' && error.supported
      ? `supported values: ${error.supported.map((v) => JSON.stringify(v)).join(', ')}`
      : error.detail;
  if (detail) body += `: ${detail}`;
  return error.field === '' ? body : `${error.field}: ${body}`;
}
