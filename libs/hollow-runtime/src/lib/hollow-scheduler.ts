import { performance } from 'node:perf_hooks';

export interface HollowSchedulerOptions {
  /** Time moves only through advance() (tests). Default false: simulated time follows the wall clock. */
  manual?: boolean;
  /** Simulated epoch milliseconds at creation. Default Date.now(). */
  startAt?: number;
  /** Real mode: simulated milliseconds per wall millisecond (10 = ten times faster). Default 1. */
  timeScale?: number;
  /** Real mode: due actions are batched on ticks of this many simulated milliseconds. Default 10. */
  resolutionMs?: number;
}

export interface ScheduledAction {
  /** Simulated time the action is due. */
  readonly at: number;
  cancel(): void;
}

class Entry implements ScheduledAction {
  cancelled = false;
  queued = true;

  constructor(
    readonly at: number,
    readonly seq: number,
    readonly action: () => void,
    private readonly owner: HollowScheduler,
  ) {}

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    if (this.queued) this.owner.noteCancelled();
  }
}

const COMPACT_MIN = 1024;

/**
 * One clock and one min-heap of due actions for any number of hollow nodes: a single live timer,
 * armed for the earliest action, however many containers are starting, crashing or stopping.
 */
export class HollowScheduler {
  readonly manual: boolean;
  private readonly timeScale: number;
  private readonly resolutionMs: number;
  private readonly origin: number;
  private readonly perfOrigin = performance.now();
  private manualNow: number;
  private heap: Entry[] = [];
  private cancelled = 0;
  private seq = 0;
  private timer?: NodeJS.Timeout;
  private armedTick = Infinity;
  private closed = false;
  private advancing = false;

  constructor(options: HollowSchedulerOptions = {}) {
    this.manual = options.manual ?? false;
    this.timeScale = options.timeScale ?? 1;
    this.resolutionMs = options.resolutionMs ?? 10;
    if (!(this.timeScale > 0)) throw new RangeError(`timeScale must be > 0, got ${this.timeScale}`);
    if (!(this.resolutionMs > 0)) throw new RangeError(`resolutionMs must be > 0, got ${this.resolutionMs}`);
    this.origin = options.startAt ?? Date.now();
    this.manualNow = this.origin;
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    if (this.manual) return this.manualNow;
    return this.origin + (performance.now() - this.perfOrigin) * this.timeScale;
  }

  /** Actions waiting (cancelled ones excluded). */
  get pending(): number {
    return this.heap.length - this.cancelled;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  schedule(delayMs: number, action: () => void): ScheduledAction {
    return this.scheduleAt(this.now() + Math.max(0, delayMs), action);
  }

  scheduleAt(at: number, action: () => void): ScheduledAction {
    const entry = new Entry(at, this.seq++, action, this);
    if (this.closed) {
      entry.queued = false;
      entry.cancelled = true;
      return entry;
    }
    this.push(entry);
    this.arm();
    return entry;
  }

  /**
   * Manual mode: moves time forward by ms, running due actions in time order and letting promise
   * continuations settle after each instant, so awaiting code sees the world as it was then.
   */
  async advance(ms: number): Promise<void> {
    if (!this.manual) throw new Error('advance() needs a manual HollowScheduler');
    if (this.advancing) throw new Error('advance() is already running');
    this.advancing = true;
    try {
      const target = this.manualNow + Math.max(0, ms);
      for (;;) {
        await settle();
        const head = this.peek();
        if (!head || head.at > target) break;
        this.manualNow = Math.max(this.manualNow, head.at);
        this.runDue(this.manualNow);
      }
      this.manualNow = target;
      await settle();
    } finally {
      this.advancing = false;
    }
  }

  /** Drops every action and the timer; nothing scheduled runs afterwards. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const entry of this.heap) {
      entry.queued = false;
      entry.cancelled = true;
    }
    this.heap = [];
    this.cancelled = 0;
  }

  /** @internal */
  noteCancelled(): void {
    this.cancelled++;
    if (this.cancelled >= COMPACT_MIN && this.cancelled * 2 > this.heap.length) this.compact();
  }

  private runDue(until: number): void {
    for (;;) {
      const head = this.peek();
      if (!head || head.at > until) return;
      this.pop();
      head.queued = false;
      head.action();
    }
  }

  private arm(): void {
    if (this.manual || this.closed) return;
    const head = this.peek();
    if (!head) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.armedTick = Infinity;
      return;
    }
    const tick = Math.ceil(head.at / this.resolutionMs) * this.resolutionMs;
    if (this.timer && this.armedTick <= tick) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedTick = tick;
    this.timer = setTimeout(() => this.fire(), Math.max(0, (tick - this.now()) / this.timeScale));
  }

  private fire(): void {
    this.timer = undefined;
    this.armedTick = Infinity;
    try {
      this.runDue(this.now());
    } finally {
      this.arm();
    }
  }

  /** The earliest live entry, discarding cancelled ones on the way. */
  private peek(): Entry | undefined {
    while (this.heap.length && this.heap[0].cancelled) {
      this.pop();
      this.cancelled--;
    }
    return this.heap[0];
  }

  private compact(): void {
    const live = this.heap.filter((entry) => {
      if (entry.cancelled) entry.queued = false;
      return !entry.cancelled;
    });
    this.heap = [];
    this.cancelled = 0;
    for (const entry of live) this.push(entry);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): Entry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length && last) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && before(heap[right], heap[left]) ? right : left;
        if (!before(heap[child], last)) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

// One macrotask turn: every promise continuation queued so far runs before it.
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
