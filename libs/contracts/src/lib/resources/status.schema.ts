import { z } from 'zod';
import { FieldError, FieldErrorType, formatFieldError } from './field-error.model';

/** Kubernetes StatusReason values Berth answers with. */
export const STATUS_REASONS = [
  'Invalid',
  'NotFound',
  'AlreadyExists',
  'Conflict',
  'Forbidden',
  'Unauthorized',
  'BadRequest',
  'RequestEntityTooLarge',
  'UnsupportedMediaType',
  'MethodNotAllowed',
  'NotAcceptable',
  'Gone',
  'Expired',
  'Timeout',
  'TooManyRequests',
  'InternalError',
  'ServiceUnavailable',
] as const;
export type StatusReason = (typeof STATUS_REASONS)[number];

export const STATUS_CAUSE_REASONS = [
  'FieldValueRequired',
  'FieldValueInvalid',
  'FieldValueNotSupported',
  'FieldValueDuplicate',
  'FieldValueTooLong',
  'FieldValueForbidden',
  'FieldValueTooMany',
] as const;
export type StatusCauseReason = (typeof STATUS_CAUSE_REASONS)[number];

export const CAUSE_REASON_BY_FIELD_ERROR: Record<FieldErrorType, StatusCauseReason> = {
  Required: 'FieldValueRequired',
  Invalid: 'FieldValueInvalid',
  NotSupported: 'FieldValueNotSupported',
  Duplicate: 'FieldValueDuplicate',
  TooLong: 'FieldValueTooLong',
  Forbidden: 'FieldValueForbidden',
  TooMany: 'FieldValueTooMany',
};

export const statusCauseSchema = z.object({
  reason: z.enum(STATUS_CAUSE_REASONS),
  message: z.string(),
  field: z.string().optional(),
});
export type StatusCause = z.output<typeof statusCauseSchema>;

export const statusDetailsSchema = z.object({
  name: z.string().optional(),
  group: z.string().optional(),
  kind: z.string().optional(),
  uid: z.string().optional(),
  causes: z.array(statusCauseSchema).optional(),
  retryAfterSeconds: z.int().optional(),
});
export type StatusDetails = z.output<typeof statusDetailsSchema>;

/** The Kubernetes error (and success) body: `kind: Status, apiVersion: v1`. */
export const statusSchema = z.object({
  kind: z.literal('Status'),
  apiVersion: z.literal('v1'),
  metadata: z.object({ resourceVersion: z.string().optional() }).optional(),
  status: z.enum(['Success', 'Failure']),
  message: z.string(),
  reason: z.enum(STATUS_REASONS).optional(),
  details: statusDetailsSchema.optional(),
  code: z.int(),
});
export type Status = z.output<typeof statusSchema>;

/** Builds a Status body; codes below 400 are `Success`, the rest `Failure`. */
const REASON_OF_CODE: Readonly<Record<number, StatusReason>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The Status reason Kubernetes gives an HTTP code; an unknown code gets `fallback`, else InternalError (5xx) or BadRequest. */
export function reasonForCode(code: number, fallback?: StatusReason): StatusReason {
  return REASON_OF_CODE[code] ?? fallback ?? (code >= 500 ? 'InternalError' : 'BadRequest');
}

export function statusFor(code: number, reason: StatusReason, message: string, details?: StatusDetails): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code < 400 ? 'Success' : 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export interface InvalidTarget {
  kind: string;
  /** API group, '' for the core group. */
  group?: string;
  name?: string;
}

/**
 * The 422 body Kubernetes returns for a failed validation:
 * `Deployment.apps "web" is invalid: [a: Required value, b: Invalid value: ...]`.
 */
export function invalidStatus(target: InvalidTarget, errors: readonly FieldError[]): Status {
  const messages = errors.map(formatFieldError);
  const qualifiedKind = target.group ? `${target.kind}.${target.group}` : target.kind;
  const summary = messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`;
  return statusFor(422, 'Invalid', `${qualifiedKind} ${JSON.stringify(target.name ?? '')} is invalid: ${summary}`, {
    name: target.name ?? '',
    ...(target.group ? { group: target.group } : {}),
    kind: target.kind,
    causes: errors.map((error, i) => ({
      reason: CAUSE_REASON_BY_FIELD_ERROR[error.type],
      message: messages[i],
      field: error.field,
    })),
  });
}
