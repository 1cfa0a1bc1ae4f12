export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Default 2. */
  factor?: number;
  /** 0..1: each delay is drawn from [delay * (1 - jitter), delay]. Default 0. */
  jitter?: number;
}

/** Exponential backoff: initial, initial*factor, ... capped at max, until reset(). */
export class ExponentialBackoff {
  private current: number;
  private tries = 0;

  constructor(
    private readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {
    if (!(options.initialMs > 0) || !(options.maxMs >= options.initialMs)) {
      throw new RangeError(`backoff needs 0 < initialMs <= maxMs, got ${options.initialMs} and ${options.maxMs}`);
    }
    this.current = options.initialMs;
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.tries;
  }

  /** The delay before the next try; the one after it grows. */
  next(): number {
    const delay = this.current;
    this.tries++;
    this.current = Math.min(this.options.maxMs, this.current * (this.options.factor ?? 2));
    const jitter = this.options.jitter ?? 0;
    return jitter > 0 ? Math.round(delay * (1 - jitter * this.random())) : delay;
  }

  /** The delay next() would give, without advancing. */
  peek(): number {
    return this.current;
  }

  reset(): void {
    this.current = this.options.initialMs;
    this.tries = 0;
  }
}
