import { Readable } from 'node:stream';
import type { LogLine, LogOptions } from '@berth/docker-runtime';
import type { HollowScheduler, ScheduledAction } from './hollow-scheduler';

/** What a synthetic log is computed from: nothing is stored, line i is a function of these. */
export interface LogSubject {
  readonly name: string;
  readonly image: string;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly exitCode?: number;
  readonly oomKilled: boolean;
  readonly logIntervalMs: number;
  /** Stopped, removed or never going to start: a follow stream ends once it has caught up. */
  readonly logComplete: boolean;
  /** Called on start, exit and removal; returns the unsubscribe function. */
  watch(listener: () => void): () => void;
}

interface TimedLine {
  at: number;
  stream: LogLine['stream'];
  line: string;
}

const DEFAULT_LIMIT_BYTES = 1024 * 1024;

function tickCount(subject: LogSubject, now: number): number {
  if (subject.startedAt === undefined || subject.logIntervalMs <= 0) return 0;
  const end = Math.min(now, subject.finishedAt ?? Infinity);
  return Math.max(0, Math.floor((end - subject.startedAt) / subject.logIntervalMs));
}

/** Lines written by time `now`: a start line, one per interval, and an exit line once finished. */
export function logLineCount(subject: LogSubject, now: number): number {
  if (subject.startedAt === undefined || subject.startedAt > now) return 0;
  const finished = subject.finishedAt !== undefined && subject.finishedAt <= now;
  return 1 + tickCount(subject, now) + (finished ? 1 : 0);
}

export function logLineAt(subject: LogSubject, index: number): TimedLine {
  const startedAt = subject.startedAt ?? 0;
  if (index === 0) return { at: startedAt, stream: 'stdout', line: `hollow: started ${subject.name} from ${subject.image}` };
  const finishedAt = subject.finishedAt;
  if (finishedAt !== undefined && index === tickCount(subject, finishedAt) + 1) {
    const code = subject.exitCode ?? 0;
    const line = `hollow: exited with code ${code}${subject.oomKilled ? ' (OOMKilled)' : ''}`;
    return { at: finishedAt, stream: code === 0 ? 'stdout' : 'stderr', line };
  }
  return { at: startedAt + index * subject.logIntervalMs, stream: 'stdout', line: `hollow: tick ${index}` };
}

/** The index of the first line written at or after `time`. */
export function firstLineAtOrAfter(subject: LogSubject, time: number, count: number): number {
  if (subject.startedAt === undefined || time <= subject.startedAt) return 0;
  let index = subject.logIntervalMs > 0 ? Math.ceil((time - subject.startedAt) / subject.logIntervalMs) : 1;
  if (subject.finishedAt !== undefined) {
    const ticks = tickCount(subject, subject.finishedAt);
    if (index > ticks) index = time <= subject.finishedAt ? ticks + 1 : ticks + 2;
  }
  return Math.min(index, count);
}

/** An object-mode stream of LogLine over a LogSubject, honouring tailLines, sinceSeconds, follow and limitBytes. */
export class HollowLogStream extends Readable {
  private index: number;
  private budget: number;
  private wanted = false;
  private ended = false;
  private wake?: ScheduledAction;
  private readonly unwatch?: () => void;

  constructor(
    private readonly subject: LogSubject,
    private readonly scheduler: HollowScheduler,
    private readonly options: LogOptions = {},
  ) {
    super({ objectMode: true });
    const now = scheduler.now();
    const count = logLineCount(subject, now);
    let start = options.tailLines !== undefined ? Math.max(0, count - Math.max(0, options.tailLines)) : 0;
    if (options.sinceSeconds !== undefined) start = Math.max(start, firstLineAtOrAfter(subject, now - options.sinceSeconds * 1000, count));
    this.index = start;
    this.budget = options.limitBytes ?? (options.follow ? Infinity : DEFAULT_LIMIT_BYTES);
    if (options.follow) this.unwatch = subject.watch(() => this.pump());
  }

  override _read(): void {
    this.wanted = true;
    this.pump();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.cleanup();
    callback(error);
  }

  private pump(): void {
    if (this.ended || this.destroyed) return;
    const now = this.scheduler.now();
    const count = logLineCount(this.subject, now);
    while (this.wanted && this.index < count) {
      const { at, stream, line } = logLineAt(this.subject, this.index++);
      const bytes = Buffer.byteLength(line) + 1;
      if (bytes > this.budget) {
        const cut = Buffer.from(line).subarray(0, Math.max(0, this.budget)).toString('utf8');
        if (cut) this.push(this.toLogLine(at, stream, cut));
        this.finish();
        return;
      }
      this.budget -= bytes;
      this.wanted = this.push(this.toLogLine(at, stream, line));
    }
    if (this.index < count) return;
    if (!this.options.follow || this.subject.logComplete) {
      this.finish();
      return;
    }
    this.armWake();
  }

  /** Follow: one scheduled wake for the next periodic line; start and exit arrive through watch(). */
  private armWake(): void {
    const { startedAt, logIntervalMs } = this.subject;
    if (this.wake || startedAt === undefined || logIntervalMs <= 0) return;
    this.wake = this.scheduler.scheduleAt(startedAt + this.index * logIntervalMs, () => {
      this.wake = undefined;
      this.pump();
    });
  }

  private toLogLine(at: number, stream: LogLine['stream'], line: string): LogLine {
    return this.options.timestamps ? { stream, line, timestamp: new Date(at).toISOString() } : { stream, line };
  }

  private finish(): void {
    this.ended = true;
    this.cleanup();
    this.push(null);
  }

  private cleanup(): void {
    this.wake?.cancel();
    this.wake = undefined;
    this.unwatch?.();
  }
}
