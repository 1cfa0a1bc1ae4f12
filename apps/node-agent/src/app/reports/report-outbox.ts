import { Logger } from '@nestjs/common';
import { nodeReportSchema, type NodeReport, type ReportAck } from '@berth/contracts';
import { ExponentialBackoff, type BackoffOptions } from '../shared/backoff';
import type { TimerQueue } from '../shared/timer-queue';
import type { OutboxJournal } from './outbox-journal';
import { randomReportId } from '../shared/report-id';

/** A report as its author writes it; the outbox adds node, id (unless given) and time. */
export type ReportDraft = Omit<NodeReport, 'reportId' | 'node' | 'at'> & { reportId?: string; at?: number };

/** Delivers one report and returns the control plane's ack (throws when there is none). */
export type ReportTransport = (report: NodeReport) => Promise<ReportAck>;

export interface ReportOutboxOptions {
  node: string;
  journal: OutboxJournal;
  transport: ReportTransport;
  timers: TimerQueue;
  /** Reports awaiting their ack at once; each replica has at most one, so its reports stay in order. */
  maxInFlight: number;
  retry: BackoffOptions;
  /** Rewrite the journal once it holds this many lines more than twice the pending reports. */
  compactAfterLines?: number;
  onAcked?: (report: NodeReport, latencyMs: number) => void;
  onRetry?: (report: NodeReport, error: unknown) => void;
  /** Errors meaning the control plane refused the report for good: it is dropped, not resent. */
  isRejection?: (error: unknown) => boolean;
}

interface Entry {
  report: NodeReport;
  createdAt: number;
  persisted: boolean;
  inFlight: boolean;
}

/**
 * Reports wait here until the control plane acks them: written to the journal before they are
 * sent, resent with backoff while NATS or the control plane is away, in order per replica.
 * A resend is harmless (the control plane records reportId as the event id), a loss is not.
 */
export class ReportOutbox {
  private readonly logger = new Logger(ReportOutbox.name);
  private readonly entries = new Map<string, Entry>();
  private readonly unwritten: Entry[] = [];
  private readonly acksUnwritten: string[] = [];
  private readonly backoff: ExponentialBackoff;
  private readonly compactAfter: number;
  private inFlight = 0;
  private retryAt = 0;
  private cancelRetry?: () => void;
  private flushScheduled = false;
  private compacting = false;
  private closed = false;

  constructor(private readonly options: ReportOutboxOptions) {
    this.backoff = new ExponentialBackoff({ jitter: 0.2, ...options.retry });
    this.compactAfter = options.compactAfterLines ?? 1_000;
  }

  get depth(): number {
    return this.entries.size;
  }

  /** Reports not yet acked, oldest first. */
  pending(): NodeReport[] {
    return [...this.entries.values()].map((entry) => entry.report);
  }

  /** Loads what a previous run left unacked; those go out first. */
  async open(): Promise<void> {
    const { pending, skipped } = await this.options.journal.load();
    if (skipped) this.logger.warn({ msg: 'outbox journal had unreadable lines', node: this.options.node, skipped });
    for (const report of pending) this.entries.set(report.reportId, { report, createdAt: report.at, persisted: true, inFlight: false });
    if (pending.length) this.logger.log({ msg: 'outbox resumes unacked reports', node: this.options.node, reports: pending.length });
    this.pump();
  }

  emit(draft: ReportDraft): NodeReport {
    const { reportId, at, ...rest } = draft;
    const report: NodeReport = { ...rest, reportId: reportId ?? randomReportId(), node: this.options.node, at: Math.floor(at ?? Date.now()) };
    const valid = nodeReportSchema.safeParse(report);
    if (!valid.success) {
      // A report the control plane would refuse would block its replica's queue forever: a bug, said loudly.
      this.logger.error({ msg: 'invalid report not queued', node: this.options.node, report, issues: valid.error.issues });
      return report;
    }
    const existing = this.entries.get(report.reportId);
    if (existing) return existing.report;
    const entry: Entry = { report, createdAt: Date.now(), persisted: false, inFlight: false };
    this.entries.set(report.reportId, entry);
    this.unwritten.push(entry);
    this.scheduleFlush();
    return report;
  }

  /** Try now, e.g. after NATS reconnected. */
  kick(): void {
    this.backoff.reset();
    this.retryAt = 0;
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    this.pump();
  }

  /** Stops sending; everything unacked is on disk when this resolves. */
  async close(): Promise<void> {
    this.flush();
    this.closed = true;
    this.cancelRetry?.();
    await this.options.journal.flushed();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // One write for everything emitted in this turn of the event loop.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.closed) return;
    const adds = this.unwritten.splice(0);
    const acks = this.acksUnwritten.splice(0);
    if (!adds.length && !acks.length) return;
    const entries = [...adds.filter((entry) => this.entries.has(entry.report.reportId)).map((entry) => ({ add: entry.report })), ...acks.map((ack) => ({ ack }))];
    this.options.journal
      .append(entries)
      .catch((error: unknown) => {
        // Better to deliver without the crash guarantee than to hold every report back.
        this.logger.error({ msg: 'outbox journal write failed; sending anyway', node: this.options.node, error: String(error) });
      })
      .then(() => {
        for (const entry of adds) entry.persisted = true;
        this.maybeCompact();
        this.pump();
      })
      .catch(() => undefined);
  }

  private maybeCompact(): void {
    const journal = this.options.journal;
    if (this.compacting || journal.size < this.compactAfter || journal.size < 2 * this.entries.size) return;
    this.compacting = true;
    // Unwritten adds are included here, so they count as written once the compaction lands.
    const included = [...this.entries.values()];
    this.unwritten.length = 0;
    this.acksUnwritten.length = 0;
    journal
      .compact(included.map((entry) => entry.report))
      .catch((error: unknown) => this.logger.error({ msg: 'outbox journal compaction failed', node: this.options.node, error: String(error) }))
      .then(() => {
        this.compacting = false;
        for (const entry of included) entry.persisted = true;
        this.pump();
      })
      .catch(() => undefined);
  }

  private pump(): void {
    if (this.closed || Date.now() < this.retryAt) return;
    const blocked = new Set<string>();
    for (const entry of this.entries.values()) {
      if (this.inFlight >= this.options.maxInFlight) break;
      const replica = entry.report.replicaUid;
      if (blocked.has(replica)) continue;
      blocked.add(replica);
      if (entry.inFlight || !entry.persisted) continue;
      this.send(entry);
    }
  }

  private send(entry: Entry): void {
    entry.inFlight = true;
    this.inFlight++;
    this.options
      .transport(entry.report)
      .then((ack) => {
        if (ack.reportId !== entry.report.reportId) throw new Error(`ack for ${ack.reportId}, expected ${entry.report.reportId}`);
        this.acked(entry);
      })
      .catch((error: unknown) => this.failed(entry, error))
      .finally(() => {
        entry.inFlight = false;
        this.inFlight--;
        this.pump();
      });
  }

  private acked(entry: Entry): void {
    if (!this.forget(entry)) return;
    this.backoff.reset();
    this.options.onAcked?.(entry.report, Date.now() - entry.createdAt);
  }

  private forget(entry: Entry): boolean {
    const id = entry.report.reportId;
    if (!this.entries.delete(id)) return false;
    this.acksUnwritten.push(id);
    this.scheduleFlush();
    return true;
  }

  private failed(entry: Entry, error: unknown): void {
    if (this.options.isRejection?.(error)) {
      this.logger.error({ msg: 'report rejected by the control plane; dropped', node: this.options.node, reportId: entry.report.reportId, kind: entry.report.kind, replica: entry.report.replicaUid, error: String(error) });
      this.forget(entry);
      return;
    }
    this.options.onRetry?.(entry.report, error);
    if (this.closed || this.cancelRetry) return;
    const delay = this.backoff.next();
    this.retryAt = Date.now() + delay;
    this.cancelRetry = this.options.timers.schedule(delay, () => {
      this.cancelRetry = undefined;
      this.retryAt = 0;
      this.pump();
    });
  }
}
