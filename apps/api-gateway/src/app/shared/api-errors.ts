import { StatusDetails, StatusReason } from '@berth/contracts';

/**
 * Errors of the API's domain, each naming the Kubernetes StatusReason it stands for. Services
 * throw these (never HTTP exceptions); StatusExceptionFilter turns them into Status bodies.
 */
export abstract class ApiError extends Error {
  abstract readonly reason: StatusReason;
  constructor(
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }
}

/** How Kubernetes names a resource in messages: `deployments.apps`, `pods`. */
export interface ResourceRef {
  plural: string;
  group: string;
}

export function qualified(resource: ResourceRef): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

function detailsOf(resource: ResourceRef, name: string): StatusDetails {
  return { name, ...(resource.group ? { group: resource.group } : {}), kind: resource.plural };
}

export class ResourceNotFound extends ApiError {
  readonly reason = 'NotFound';
  override readonly name = 'ResourceNotFound';
  constructor(resource: ResourceRef, objectName: string) {
    super(`${qualified(resource)} "${objectName}" not found`, detailsOf(resource, objectName));
  }
}

export class ResourceAlreadyExists extends ApiError {
  readonly reason = 'AlreadyExists';
  override readonly name = 'ResourceAlreadyExists';
  constructor(resource: ResourceRef, objectName: string) {
    super(`${qualified(resource)} "${objectName}" already exists`, detailsOf(resource, objectName));
  }
}

/** Someone else changed the object first (stale resourceVersion, or a concurrent writer). */
export class ResourceConflict extends ApiError {
  readonly reason = 'Conflict';
  override readonly name = 'ResourceConflict';
  constructor(resource: ResourceRef, objectName: string, why = 'the object has been modified; please apply your changes to the latest version and try again') {
    super(`Operation cannot be fulfilled on ${qualified(resource)} "${objectName}": ${why}`, detailsOf(resource, objectName));
  }
}

export class Unauthenticated extends ApiError {
  readonly reason = 'Unauthorized';
  override readonly name = 'Unauthenticated';
  constructor() {
    super('Unauthorized');
  }
}

export class AccessDenied extends ApiError {
  readonly reason = 'Forbidden';
  override readonly name = 'AccessDenied';
}

export class BadRequest extends ApiError {
  readonly reason = 'BadRequest';
  override readonly name = 'BadRequest';
}

export class UnsupportedMediaType extends ApiError {
  readonly reason = 'UnsupportedMediaType';
  override readonly name = 'UnsupportedMediaType';
  constructor(contentType: string | undefined, accepted: readonly string[]) {
    super(`the body of the request was in an unknown format ${JSON.stringify(contentType ?? '')}; accepted media types include: ${accepted.join(', ')}`);
  }
}

export class BodyTooLarge extends ApiError {
  readonly reason = 'RequestEntityTooLarge';
  override readonly name = 'BodyTooLarge';
  constructor(limit: number) {
    super(`the request body is larger than ${limit} bytes`);
  }
}

/** A JSON Patch that would do too much work: too many operations, or too many bytes copied and compared. */
export class PatchTooLarge extends ApiError {
  readonly reason = 'RequestEntityTooLarge';
  override readonly name = 'PatchTooLarge';
}

/** A watch asked for history that has been compacted away. */
export class ResourceVersionGone extends ApiError {
  readonly reason = 'Gone';
  override readonly name = 'ResourceVersionGone';
  constructor(requested: number, oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

export class DependencyUnavailable extends ApiError {
  readonly reason = 'ServiceUnavailable';
  override readonly name = 'DependencyUnavailable';
}

export class RequestTimedOut extends ApiError {
  readonly reason = 'Timeout';
  override readonly name = 'RequestTimedOut';
}

export class OperationNotAllowed extends ApiError {
  readonly reason = 'MethodNotAllowed';
  override readonly name = 'OperationNotAllowed';
}

/** A well-formed patch that cannot be applied to the object (failed test, missing path). */
export class PatchFailed extends ApiError {
  readonly reason = 'Invalid';
  override readonly name = 'PatchFailed';
}
