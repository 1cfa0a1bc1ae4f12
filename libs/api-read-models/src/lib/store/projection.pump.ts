import { PositionListener } from './position.listener';

/** What the pump drives: ProjectionRunner or BatchProjectionRunner. */
export interface CatchUpRunner {
  /**
   * Applies what is not applied yet; resolves with the position reached. `onBatch` hears each
   * position reached on the way, so waiters need not wait for a long catch-up to end.
   */
  catchUp(onBatch?: (position: number) => void): Promise<number>;
}

export interface ProjectionPumpOptions {
  /** LISTEN on the log's channel (else poll every idlePollMs). */
  listenUrl?: string;
  notifyChannel?: string;
  idlePollMs?: number;
  onError?: (error: unknown) => void;
  /** The database's read model was found behind the position reached (see regressed()). */
  onRegression?: (reached: number, found: number) => void;
}

/** The read model did not reach a position in time (the projection is behind or failing). */
export class ProjectionBehind extends Error {
  override readonly name = 'ProjectionBehind';
  constructor(
    readonly wanted: number,
    readonly reached: number,
  ) {
    super(`the read model is at position ${reached}, not yet ${wanted}`);
  }
}

interface Waiter {
  position: number;
  resolve: (position: number) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * Keeps a projection current and lets callers wait for a position (read-your-writes). One
 * catch-up runs at a time; a request that arrives meanwhile is served by the next run, so a
 * burst of writes shares catch-ups. Woken by LISTEN (appends beyond the position reached), by
 * `kick()` and by a slow poll.
 */
export class ProjectionPump {
  private reached = 0;
  private running = false;
  private again = false;
  private stopped = false;
  private started = false;
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<(position: number) => void>();
  private listener: PositionListener | null = null;
  private poll: NodeJS.Timeout | null = null;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly runner: CatchUpRunner,
    private readonly options: ProjectionPumpOptions = {},
  ) {}

  /** Position the read model is known to have reached. */
  get position(): number {
    return this.reached;
  }

  /** Catches up once (awaited), then follows the log until stop(). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.runOnce();
    if (this.options.listenUrl && this.options.notifyChannel) {
      // Only appends beyond what is applied need a catch-up (our own are usually applied already).
      this.listener = new PositionListener(this.options.listenUrl, this.options.notifyChannel, (position) => position > this.reached && this.kick(), this.options.onError);
      await this.listener.start();
    }
    const every = this.options.idlePollMs ?? (this.listener ? 1_000 : 100);
    this.poll = setInterval(() => this.kick(), every);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    await this.listener?.close();
    await this.idle;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new ProjectionBehind(waiter.position, this.reached));
    }
    this.waiters.clear();
  }

  /**
   * A read found the read model in the database at `position`, behind what this pump had reached:
   * Postgres crashed and lost the newest batches (the projection commits asynchronously; rows and
   * checkpoint went together). The log still has those events: they are applied again, and until
   * then waitFor() waits instead of trusting the position reached before the crash.
   */
  regressed(position: number): void {
    if (position >= this.reached) return;
    this.options.onRegression?.(this.reached, position);
    this.reached = position;
    this.kick();
  }

  /** Called with each newly reached position. */
  onAdvance(listener: (position: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks for a catch-up soon (e.g. right after an append). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.idle = this.runOnce();
  }

  /** Resolves once the read model holds every event up to `position`. */
  waitFor(position: number, timeoutMs = 10_000): Promise<number> {
    if (this.reached >= position) return Promise.resolve(this.reached);
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = {
        position,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new ProjectionBehind(position, this.reached));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      this.kick();
    });
  }

  private async runOnce(): Promise<void> {
    this.running = true;
    try {
      do {
        this.again = false;
        try {
          // Waiters are released batch by batch: under a steady flood of appends a catch-up can
          // go on for long, and a write must not wait for its end.
          this.advance(await this.runner.catchUp((position) => this.advance(position)));
        } catch (error) {
          this.options.onError?.(error);
          break;
        }
      } while (this.again && !this.stopped);
    } finally {
      this.running = false;
    }
  }

  private advance(position: number): void {
    if (position <= this.reached) return;
    this.reached = position;
    for (const waiter of [...this.waiters]) {
      if (waiter.position <= position) {
        clearTimeout(waiter.timer);
        this.waiters.delete(waiter);
        waiter.resolve(position);
      }
    }
    for (const listener of this.listeners) listener(position);
  }
}
