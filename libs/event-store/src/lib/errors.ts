export type ExpectedVersion = number | 'no_stream' | 'any';

/** The stream was not at the version the caller expected: nothing was written. */
export class WrongExpectedVersion extends Error {
  override readonly name = 'WrongExpectedVersion';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super(`wrong expected version for ${streamId}: expected ${String(expected)}, stream is at ${actual}`);
  }
}

/** Some (not all) event ids of a retried append already exist: the retry is not the same append. */
export class IdempotencyConflict extends Error {
  override readonly name = 'IdempotencyConflict';
  constructor(readonly eventIds: string[]) {
    super(`some but not all of the event ids already exist: ${eventIds.join(', ')}`);
  }
}

/** The database refused to change or remove a recorded event. */
export class AppendOnlyViolation extends Error {
  override readonly name = 'AppendOnlyViolation';
}

/** SQLSTATEs of a server that is going away or not accepting connections yet (admin/crash shutdown, starting up, full). */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** node-postgres says these in plain errors without a code. */
const CONNECTION_LOST = /Connection terminated|timeout exceeded when trying to connect|connection error|Connection ended/i;

/**
 * True when an error means Postgres cannot be reached right now (restarting, down, network), as
 * opposed to a request it refused: the caller may retry the same thing later. Looks through
 * TypeORM's `driverError` and `cause`.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  // Structural, not instanceof: errors from node's own sockets come from another realm under test runners.
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { code, message, errors, driverError, cause } = error as { code?: unknown; message?: unknown; errors?: unknown; driverError?: unknown; cause?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08') || NETWORK_ERRORS.has(code))) return true;
  if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  if (typeof code !== 'string' && typeof message === 'string' && CONNECTION_LOST.test(message)) return true;
  const inner = driverError ?? cause;
  return inner !== undefined && inner !== error && isDatabaseUnavailable(inner, depth + 1);
}
