import type { Status } from '@berth/contracts';

/** The server answered with a Kubernetes Status (or an error we turned into one). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(readonly status: Status) {
    super(status.message);
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): string | undefined {
    return this.status.reason;
  }
}

/** The server could not be reached at all (refused, unknown host, reset, timeout). */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  constructor(
    readonly server: string,
    /** Node's error code, e.g. ECONNREFUSED, ENOTFOUND; undefined when unknown. */
    readonly errorCode: string | undefined,
    detail: string,
  ) {
    super(detail);
  }
}
