import { HttpException } from '@nestjs/common';
import { InvalidEvent, InvalidManifest, invalidStatus, reasonForCode, Status, StatusReason, statusFor } from '@berth/contracts';
import { IdempotencyConflict, isDatabaseUnavailable, WrongExpectedVersion } from '@berth/event-store';
import { ProjectionBehind, WatcherTooSlow } from '@berth/api-read-models';
import { ApiError } from './api-errors';

/** The HTTP status code of each Kubernetes StatusReason. */
export const CODE_OF_REASON: Record<StatusReason, number> = {
  Invalid: 422,
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Forbidden: 403,
  Unauthorized: 401,
  BadRequest: 400,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  Gone: 410,
  Expired: 410,
  Timeout: 504,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
};


/** Framework errors (unknown route, ...) say this instead of their own wording. */
const FRAMEWORK_MESSAGES: Record<number, string> = {
  404: 'the server could not find the requested resource',
  405: 'the server does not allow this method on the requested resource',
};

/** Whether this failure is the server's fault (logged with its stack) rather than the request's. */
export function isServerFault(error: unknown): boolean {
  return toStatus(error).code >= 500 && !(error instanceof ApiError) && !(error instanceof ProjectionBehind);
}

/** The Kubernetes Status body for any error thrown while serving a request. */
export function toStatus(error: unknown): Status {
  if (error instanceof InvalidManifest) return error.status;
  if (error instanceof ApiError) return statusFor(CODE_OF_REASON[error.reason], error.reason, error.message, error.details);
  if (error instanceof WrongExpectedVersion) {
    return statusFor(409, 'Conflict', `Operation cannot be fulfilled on ${error.streamId}: the object has been modified; please apply your changes to the latest version and try again`);
  }
  if (error instanceof IdempotencyConflict) return statusFor(409, 'Conflict', error.message);
  if (error instanceof InvalidEvent) {
    return invalidStatus(
      { kind: error.eventType },
      error.issues.map((issue) => ({ type: 'Invalid', field: issue.field, value: undefined, detail: issue.message })),
    );
  }
  if (error instanceof ProjectionBehind) {
    return statusFor(504, 'Timeout', `the write was recorded at resourceVersion ${error.wanted} but the server could not show it in time: ${error.message}`);
  }
  if (error instanceof WatcherTooSlow) return statusFor(410, 'Gone', error.message);
  if (error instanceof HttpException) {
    const code = error.getStatus();
    const reason = reasonForCode(code);
    return statusFor(code, reason, FRAMEWORK_MESSAGES[code] ?? error.message);
  }
  // Postgres restarting or down: nothing was decided, the same request can be sent again.
  if (isDatabaseUnavailable(error)) return statusFor(503, 'ServiceUnavailable', 'the event log (Postgres) is unavailable; retry the request');
  return statusFor(500, 'InternalError', 'an internal error occurred');
}
