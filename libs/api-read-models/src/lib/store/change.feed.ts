import { ApiObjectKind, ObjectChange } from '../model/api-object.model';
import { ApiObjectReader, ChangeCursor, completedPosition, toCursor } from './api-object.reader';
import { ProjectionPump } from './projection.pump';

export interface FeedFilter {
  kinds: ApiObjectKind[];
  /** Undefined: every namespace. */
  namespace?: string;
}

export interface FeedBatch {
  changes: ObjectChange[];
  /** Every change up to this position has been delivered (a watch's bookmark). */
  position: number;
}

/** A watcher fell too far behind the live feed: it must start again. */
export class WatcherTooSlow extends Error {
  override readonly name = 'WatcherTooSlow';
}

interface Subscriber {
  filter: FeedFilter;
  queue: ObjectChange[];
  position: number;
  wake: () => void;
  failed?: Error;
}

const PAGE = 1_000;
const MAX_QUEUED = 50_000;

function matches(filter: FeedFilter, change: ObjectChange): boolean {
  return filter.kinds.includes(change.kind) && (filter.namespace === undefined || filter.namespace === change.namespace);
}

/** Position through which every change has been seen, once a page ending at `last` was read. */
function completeThrough(last: ObjectChange | undefined, full: boolean, target: number): number {
  if (!full || !last) return target;
  return last.position - 1;
}

/**
 * Fans the watch feed (`api_changes`) out to watchers: one reader follows the projection and
 * hands each new change to the watchers it concerns; a watcher resuming from an older
 * position first replays the stored changes up to where the live feed took over.
 */
export class ChangeFeed {
  /** Every change up to this cursor has been handed to the watchers of the moment. */
  private delivered: ChangeCursor;
  private target = 0;
  private dispatching = false;
  private readonly subscribers = new Set<Subscriber>();

  constructor(
    private readonly reader: ApiObjectReader,
    pump: ProjectionPump,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.delivered = toCursor(pump.position);
    this.target = pump.position;
    pump.onAdvance((position) => {
      this.target = Math.max(this.target, position);
      void this.dispatch();
    });
  }

  get watchers(): number {
    return this.subscribers.size;
  }

  /**
   * Changes after position `from` matching the filter: stored ones first, then live, until
   * `signal` aborts. Yields an empty batch after `idleMs` without changes (for bookmarks).
   */
  async *follow(from: number, filter: FeedFilter, signal: AbortSignal, idleMs = 30_000): AsyncGenerator<FeedBatch> {
    let wakeUp: () => void = () => undefined;
    const liveFrom = { ...this.delivered };
    const subscriber: Subscriber = { filter, queue: [], position: Math.max(from, completedPosition(liveFrom)), wake: () => wakeUp() };
    this.subscribers.add(subscriber);
    const onAbort = () => subscriber.wake();
    signal.addEventListener('abort', onAbort);
    try {
      let cursor: ChangeCursor = toCursor(from);
      while (!signal.aborted) {
        const page = await this.reader.changesAfter(cursor, { through: liveFrom, kinds: filter.kinds, namespace: filter.namespace, limit: PAGE });
        if (page.length > 0) cursor = { position: page[page.length - 1].position, seq: page[page.length - 1].seq };
        const full = page.length === PAGE;
        const through = Math.max(from, full ? completeThrough(page[page.length - 1], full, 0) : completedPosition(liveFrom));
        if (page.length > 0) yield { changes: page, position: through };
        if (!full) break;
      }
      while (!signal.aborted) {
        if (subscriber.failed) throw subscriber.failed;
        if (subscriber.queue.length === 0) {
          const timedOut = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(true), idleMs);
            wakeUp = () => {
              clearTimeout(timer);
              resolve(false);
            };
          });
          wakeUp = () => undefined;
          if (timedOut) yield { changes: [], position: subscriber.position };
          continue;
        }
        const changes = subscriber.queue.splice(0, subscriber.queue.length);
        yield { changes, position: subscriber.position };
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.subscribers.delete(subscriber);
    }
  }

  private async dispatch(): Promise<void> {
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      while (this.delivered.position < this.target) {
        if (this.subscribers.size === 0) {
          this.delivered = toCursor(this.target);
          break;
        }
        const target = this.target;
        const kinds = [...new Set([...this.subscribers].flatMap((s) => s.filter.kinds))];
        const page = await this.reader.changesAfter(this.delivered, { through: target, kinds, limit: PAGE });
        const full = page.length === PAGE;
        const through = completeThrough(page[page.length - 1], full, target);
        for (const subscriber of this.subscribers) {
          for (const change of page) if (matches(subscriber.filter, change)) subscriber.queue.push(change);
          subscriber.position = Math.max(subscriber.position, through);
          if (subscriber.queue.length > MAX_QUEUED) subscriber.failed = new WatcherTooSlow(`more than ${MAX_QUEUED} changes queued for one watcher`);
          subscriber.wake();
        }
        this.delivered = full ? { position: page[page.length - 1].position, seq: page[page.length - 1].seq } : toCursor(target);
      }
    } catch (error) {
      this.onError(error);
    } finally {
      this.dispatching = false;
    }
  }
}
