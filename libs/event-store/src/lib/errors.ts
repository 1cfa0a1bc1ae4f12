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
