import { Logger } from '@nestjs/common';
import { AppendRequest, EventStore, WrongExpectedVersion } from '@berth/event-store';

/** Appends that belong together (one deployment's sync, one binding): all or nothing. */
export interface AppendUnit {
  readonly label: string;
  readonly requests: AppendRequest[];
}

export interface ExecuteResult<U extends AppendUnit> {
  readonly appended: U[];
  /** Units the log refused because a stream had moved on: the decision was made on stale state. */
  readonly conflicts: U[];
  /** Highest position written, 0 when nothing was. */
  readonly lastPosition: number;
}

export const SCHEDULER_ACTOR = 'scheduler';

/**
 * Issues every unit at once: the event store group-commits concurrent appends (each unit still
 * atomic and checked on its own), so thousands of bindings share a few transactions and a stale
 * expected version costs only its own unit.
 */
export class AppendExecutor {
  private readonly logger = new Logger(AppendExecutor.name);

  constructor(
    private readonly store: EventStore,
    private readonly maxInFlight: number,
  ) {}

  async execute<U extends AppendUnit>(units: readonly U[]): Promise<ExecuteResult<U>> {
    const appended: U[] = [];
    const conflicts: U[] = [];
    let lastPosition = 0;
    let failure: unknown = null;
    for (let start = 0; start < units.length; start += this.maxInFlight) {
      const slice = units.slice(start, start + this.maxInFlight);
      const results = await Promise.allSettled(slice.map((unit) => this.store.appendMany(unit.requests)));
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') {
          appended.push(slice[i]);
          lastPosition = Math.max(lastPosition, result.value.lastPosition);
        } else if (result.reason instanceof WrongExpectedVersion) {
          const error = result.reason;
          this.logger.debug({ msg: 'stale decision refused by the log', unit: slice[i].label, stream: error.streamId, expected: error.expected, actual: error.actual });
          conflicts.push(slice[i]);
        } else failure ??= result.reason;
      });
      // The database is unreachable or refused something else: report it after what did get written is known.
      if (failure) throw failure;
    }
    return { appended, conflicts, lastPosition };
  }
}
