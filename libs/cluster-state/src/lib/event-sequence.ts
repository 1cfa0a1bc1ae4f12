import { RecordedEvent } from '@berth/contracts';

/**
 * Builds RecordedEvents the way the log numbers them (global positions, gapless stream versions):
 * for specs and tools that fold events without a database.
 */
export class EventSequence {
  private position = 0;
  private readonly versions = new Map<string, number>();
  private clock: number;

  constructor(startAt = Date.UTC(2025, 0, 1)) {
    this.clock = startAt;
  }

  /** Current time of the sequence, in ms. */
  get now(): number {
    return this.clock;
  }

  /** Moves the sequence's clock on (events are recorded at the current time). */
  advance(ms: number): this {
    this.clock += ms;
    return this;
  }

  next<D>(streamId: string, type: string, data: D): RecordedEvent<D> {
    const version = (this.versions.get(streamId) ?? -1) + 1;
    this.versions.set(streamId, version);
    this.position += 1;
    return {
      globalPosition: this.position,
      streamId,
      streamVersion: version,
      eventId: `00000000-0000-4000-8000-${this.position.toString(16).padStart(12, '0')}`,
      type,
      data,
      metadata: {},
      recordedAt: new Date(this.clock),
    };
  }
}
