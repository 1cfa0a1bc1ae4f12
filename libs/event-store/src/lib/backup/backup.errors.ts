/** The backup file is not a complete, intact Berth event-log backup; nothing was restored. */
export class InvalidBackup extends Error {
  override readonly name = 'InvalidBackup';
  constructor(
    message: string,
    /** 1-based line of the file where the problem was found (absent: the file as a whole). */
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
  }
}

/** A restore target already holds events: restores go only into an empty log. */
export class EventLogNotEmpty extends Error {
  override readonly name = 'EventLogNotEmpty';
  constructor(
    readonly schema: string,
    readonly headPosition: number,
  ) {
    super(`the event log in schema "${schema}" is not empty (its last position is ${headPosition}): restore only into an empty schema`);
  }
}

/** The schema has no event log (never migrated): there is nothing to back up or read. */
export class NoEventLog extends Error {
  override readonly name = 'NoEventLog';
  constructor(readonly schema: string) {
    super(`schema "${schema}" has no event log (no ${schema}.events table)`);
  }
}
