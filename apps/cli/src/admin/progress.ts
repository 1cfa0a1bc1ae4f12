export interface ProgressOptions {
  /** `backup`, `restore`: the first word of each line. */
  label: string;
  /** stderr is a terminal: one line rewritten in place instead of a line per report. */
  tty: boolean;
  /** Time between reports; default 1 s on a terminal, 5 s otherwise (logs of cron jobs stay short). */
  intervalMs?: number;
  /** Milliseconds, monotonic. */
  clock?: () => number;
}

/**
 * Progress of a long admin command on stderr: nothing for the first interval (small logs finish
 * silently), then `<label>: 120000/500000 events (24%), 85000 events/s` at most once per interval.
 */
export class ProgressReporter {
  private readonly started: number;
  private readonly intervalMs: number;
  private readonly clock: () => number;
  private lastReport: number;
  private lineOpen = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly options: ProgressOptions,
  ) {
    this.clock = options.clock ?? (() => performance.now());
    this.intervalMs = options.intervalMs ?? (options.tty ? 1_000 : 5_000);
    this.started = this.clock();
    this.lastReport = this.started;
  }

  /** Seconds since the start. */
  get elapsedSeconds(): number {
    return (this.clock() - this.started) / 1000;
  }

  update(done: number, total?: number): void {
    const now = this.clock();
    if (now - this.lastReport < this.intervalMs) return;
    this.lastReport = now;
    const rate = Math.round(done / Math.max((now - this.started) / 1000, 0.001));
    const of = total === undefined ? '' : `/${total}`;
    const percent = total === undefined || total === 0 ? '' : ` (${Math.floor((done / total) * 100)}%)`;
    const line = `${this.options.label}: ${done}${of} events${percent}, ${rate} events/s`;
    if (this.options.tty) {
      this.write(`\r${line}\x1b[K`);
      this.lineOpen = true;
    } else {
      this.write(`${line}\n`);
    }
  }

  /** Ends the progress line (on a terminal) before the summary is printed. */
  finish(): void {
    if (this.lineOpen) this.write('\r\x1b[K');
    this.lineOpen = false;
  }
}

/** `3.2 s`, `850 ms`: for summaries. */
export function formatSeconds(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(1)} s`;
}

/** Events per second for a summary; `-` when too quick to say. */
export function formatRate(events: number, seconds: number): string {
  return seconds <= 0 ? '-' : `${Math.round(events / seconds)} events/s`;
}
