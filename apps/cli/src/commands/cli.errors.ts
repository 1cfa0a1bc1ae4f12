/** A failure the user caused or must act on; printed as `error: <message>`, exit code 1 unless said. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The command already printed what went wrong (e.g. per-object apply errors): exit without another line. */
export class ReportedFailure extends Error {
  override readonly name = 'ReportedFailure';
  constructor(readonly exitCode = 1) {
    super('failure already reported');
  }
}
