export interface SampleBatcherOptions {
  /** Flush as soon as this many samples wait. */
  maxBatch: number;
  /** Flush at least this often. */
  flushIntervalMs: number;
  /** Beyond this many waiting samples (the database is down), the oldest are dropped. */
  maxBuffered?: number;
  onError?: (error: unknown, samples: number) => void;
}

/**
 * Collects samples and writes them in batches: one flush at a time, on size or on a timer.
 * A failed batch goes back to the front of the queue; usage samples are worth little once old,
 * so when the buffer overflows the oldest go first.
 */
export class SampleBatcher<T> {
  private buffer: T[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private droppedCount = 0;

  constructor(
    private readonly write: (batch: T[]) => Promise<void>,
    private readonly options: SampleBatcherOptions,
  ) {}

  get pending(): number {
    return this.buffer.length;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushIntervalMs);
  }

  add(samples: T[]): void {
    this.buffer.push(...samples);
    this.trim();
    if (this.buffer.length >= this.options.maxBatch) void this.flush();
  }

  /** Writes everything waiting (in batches of maxBatch); resolves when done or after a failure. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Stops the timer and writes what is left. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flushing;
    await this.flush();
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.options.maxBatch);
      try {
        await this.write(batch);
      } catch (error) {
        this.buffer.unshift(...batch);
        this.trim();
        this.options.onError?.(error, batch.length);
        return;
      }
    }
  }

  private trim(): void {
    const max = this.options.maxBuffered ?? this.options.maxBatch * 100;
    if (this.buffer.length > max) {
      const excess = this.buffer.length - max;
      this.buffer.splice(0, excess);
      this.droppedCount += excess;
    }
  }
}
