import { FieldError, formatFieldError } from './field-error.model';
import { DEFAULT_NAMESPACE } from './object-meta.schema';
import { findResourceType, Resource } from './resource-types.registry';
import { asRecord } from './schema-kit.util';
import { invalidStatus, Status, statusFor } from './status.schema';
import { unknownFields } from './unknown-fields.util';
import { fieldErrorFromIssue } from './zod-issue.mapper';

export interface ValidateResourceOptions {
  /** Namespace given to namespaced objects that name none (the request's namespace). Default "default". */
  namespace?: string;
}

export type ValidationResult<T = Resource> = { ok: true; value: T; warnings: string[] } | { ok: false; status: Status };

/** Deeper than any real manifest; stops hostile input before it reaches recursive code. */
export const MAX_OBJECT_DEPTH = 128;

/** Marks a failure of this validator itself, never expected for any input. */
export const VALIDATOR_FAILURE_PREFIX = 'the object could not be validated';

class TooDeep extends Error {}

function badRequest(message: string, details?: { kind?: string; group?: string }): ValidationResult {
  return { ok: false, status: statusFor(400, 'BadRequest', message, details) };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/** Copies the object without null fields: Kubernetes decodes `field: null` as an absent field. */
function withoutNulls(value: unknown, depth = 0): unknown {
  if (depth > MAX_OBJECT_DEPTH) throw new TooDeep();
  if (Array.isArray(value)) return value.map((item) => withoutNulls(item, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v, depth + 1)]),
  );
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = formatFieldError(error);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function validate(obj: unknown, opts: ValidateResourceOptions): ValidationResult {
  const root = asRecord(obj);
  if (!root) return badRequest(`the object must be a mapping with apiVersion and kind, not ${describe(obj)}`);
  const { apiVersion, kind } = root;
  if (typeof kind !== 'string' || kind === '') return badRequest("Object 'Kind' is missing");
  if (typeof apiVersion !== 'string' || apiVersion === '') return badRequest("Object 'apiVersion' is missing", { kind });
  const type = findResourceType(apiVersion, kind);
  if (!type) {
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    return badRequest(`no matches for kind ${JSON.stringify(kind)} in version ${JSON.stringify(apiVersion)}`, { kind, ...(group ? { group } : {}) });
  }

  let input: Record<string, unknown>;
  try {
    input = withoutNulls(root) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TooDeep) return badRequest(`the object is nested more than ${MAX_OBJECT_DEPTH} levels deep`, { kind, group: type.group });
    throw error;
  }
  const metadata = asRecord(input.metadata);
  if (type.namespaced && metadata && (metadata.namespace === undefined || metadata.namespace === '')) {
    input.metadata = { ...metadata, namespace: opts.namespace || DEFAULT_NAMESPACE };
  }

  const warnings = unknownFields(type.schema, input);
  const result = type.schema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, value: result.data, warnings };
  const name = asRecord(input.metadata)?.name;
  const errors = dedupe(result.error.issues.map(fieldErrorFromIssue));
  return { ok: false, status: invalidStatus({ kind: type.kind, group: type.group, name: typeof name === 'string' ? name : '' }, errors) };
}

/**
 * Validates any decoded object the way the Kubernetes API server would: picks the
 * schema by apiVersion+kind, applies defaults, lists every bad field in one 422
 * Status, and reports unknown fields as warnings. Never throws.
 */
export function validateResource(obj: unknown, opts: ValidateResourceOptions = {}): ValidationResult {
  try {
    return validate(obj, opts);
  } catch (error) {
    return badRequest(`${VALIDATOR_FAILURE_PREFIX}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
