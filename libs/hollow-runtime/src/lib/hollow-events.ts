import { BERTH_LABELS, type ContainerFilter, type RuntimeEvent, type RuntimeEventSubscription } from '@berth/docker-runtime';

export function matchesFilter(labels: Record<string, string>, filter: ContainerFilter): boolean {
  return (
    (filter.node === undefined || labels[BERTH_LABELS.node] === filter.node) &&
    (filter.replicaUid === undefined || labels[BERTH_LABELS.replica] === filter.replicaUid) &&
    (filter.deployment === undefined || labels[BERTH_LABELS.deployment] === filter.deployment) &&
    (filter.namespace === undefined || labels[BERTH_LABELS.namespace] === filter.namespace)
  );
}

/** A push-fed event queue read with `for await`; close() ends the iteration. */
export class HollowEventSubscription implements RuntimeEventSubscription {
  private queue: RuntimeEvent[] = [];
  private head = 0;
  private waiting?: (result: IteratorResult<RuntimeEvent>) => void;
  private closed = false;

  constructor(
    private readonly filter: ContainerFilter,
    private readonly onClose: (subscription: HollowEventSubscription) => void,
  ) {}

  /** @internal */
  offer(event: RuntimeEvent): void {
    if (this.closed || !matchesFilter(event.labels, this.filter)) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: event, done: false });
      return;
    }
    this.queue.push(event);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.head = 0;
    this.onClose(this);
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<RuntimeEvent> {
    return {
      next: () => this.next(),
      return: async () => {
        this.close();
        return { value: undefined, done: true };
      },
    };
  }

  private next(): Promise<IteratorResult<RuntimeEvent>> {
    if (this.head < this.queue.length) {
      const value = this.queue[this.head++];
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }
}
