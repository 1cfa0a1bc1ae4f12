interface Entry {
  at: number;
  seq: number;
  run: () => void;
  cancelled: boolean;
}

export type CancelTimer = () => void;

/**
 * Many timers on one real timer (a min-heap by due time): thousands of probes, backoffs and
 * resyncs across hollow nodes cost one setTimeout, not one each.
 */
export class TimerQueue {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private cancelled = 0;
  private timer?: NodeJS.Timeout;
  private armedAt = Infinity;
  private closed = false;

  constructor(private readonly onError: (error: unknown) => void = () => undefined) {}

  get size(): number {
    return this.heap.length - this.cancelled;
  }

  /** Runs `run` after `delayMs`; the returned function cancels it. */
  schedule(delayMs: number, run: () => void): CancelTimer {
    if (this.closed) return () => undefined;
    const entry: Entry = { at: Date.now() + Math.max(0, delayMs), seq: this.seq++, run, cancelled: false };
    this.push(entry);
    this.arm();
    return () => {
      if (entry.cancelled) return;
      entry.cancelled = true;
      this.cancelled++;
      if (this.cancelled > 64 && this.cancelled > this.heap.length / 2) this.compact();
    };
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.heap.length = 0;
    this.cancelled = 0;
  }

  private arm(): void {
    const head = this.heap[0];
    if (!head || this.closed) return;
    if (this.timer && head.at >= this.armedAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedAt = head.at;
    this.timer = setTimeout(() => this.fire(), Math.min(2 ** 31 - 1, Math.max(0, head.at - Date.now())));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.armedAt = Infinity;
    const now = Date.now();
    while (this.heap.length && this.heap[0].at <= now) {
      const entry = this.pop();
      if (entry.cancelled) {
        this.cancelled--;
        continue;
      }
      entry.cancelled = true;
      try {
        entry.run();
      } catch (error) {
        this.onError(error);
      }
      if (this.closed) return;
    }
    this.arm();
  }

  private compact(): void {
    const live = this.heap.filter((entry) => !entry.cancelled);
    this.heap.length = 0;
    this.cancelled = 0;
    for (const entry of live) this.push(entry);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop() as Entry;
    if (heap.length) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left], heap[smallest])) smallest = left;
        if (right < heap.length && before(heap[right], heap[smallest])) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
        i = smallest;
      }
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
