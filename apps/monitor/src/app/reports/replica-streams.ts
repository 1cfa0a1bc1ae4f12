import { EventStore } from '@berth/event-store';

/** Streams known to exist, remembered (a stream, once created, exists for good in an append-only log). */
const MAX_KNOWN = 200_000;

/**
 * Answers "does this replica's stream exist?" for the report path: from memory when it was seen
 * before, else in one query per turn of the event loop for every report waiting on the answer
 * (a burst of reports from many nodes costs one round trip, not one each).
 */
export class ReplicaStreams {
  private readonly known = new Set<string>();
  private waiting = new Map<string, ((exists: boolean) => void)[]>();
  private failures = new Map<string, ((error: unknown) => void)[]>();
  private scheduled = false;

  constructor(private readonly store: Pick<EventStore, 'existingStreams'>) {}

  exists(streamId: string): Promise<boolean> {
    if (this.known.has(streamId)) return Promise.resolve(true);
    return new Promise<boolean>((resolve, reject) => {
      this.waiting.set(streamId, [...(this.waiting.get(streamId) ?? []), resolve]);
      this.failures.set(streamId, [...(this.failures.get(streamId) ?? []), reject]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.lookUp());
      }
    });
  }

  private async lookUp(): Promise<void> {
    this.scheduled = false;
    const waiting = this.waiting;
    const failures = this.failures;
    this.waiting = new Map();
    this.failures = new Map();
    try {
      const found = await this.store.existingStreams([...waiting.keys()]);
      for (const [streamId, resolvers] of waiting) {
        const exists = found.has(streamId);
        if (exists) this.remember(streamId);
        for (const resolve of resolvers) resolve(exists);
      }
    } catch (error) {
      for (const rejecters of failures.values()) for (const reject of rejecters) reject(error);
    }
  }

  private remember(streamId: string): void {
    if (this.known.size >= MAX_KNOWN) this.known.delete(this.known.values().next().value as string);
    this.known.add(streamId);
  }
}
