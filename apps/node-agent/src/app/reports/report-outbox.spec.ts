import { ConsoleLogger, Logger } from '@nestjs/common';
import { mkdtempSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { NodeReport, ReportAck } from '@berth/contracts';
import { TimerQueue } from '../shared/timer-queue';
import { OutboxJournal } from './outbox-journal';
import { ReportOutbox, type ReportTransport } from './report-outbox';

const until = async (check: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

describe('ReportOutbox', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

  let dir: string;
  let timers: TimerQueue;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-outbox-'));
    timers = new TimerQueue();
  });
  afterEach(() => {
    timers.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const outbox = (transport: ReportTransport, file = 'outbox.jsonl', maxInFlight = 4) =>
    new ReportOutbox({ node: 'n1', journal: new OutboxJournal(join(dir, file)), transport, timers, maxInFlight, retry: { initialMs: 1, maxMs: 5 } });

  const ack = (report: NodeReport): ReportAck => ({ reportId: report.reportId, recorded: true });

  it('delivers every report exactly once per ack, keeps each replica in order, and bounds what is in flight', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ replica: fc.constantFrom('a', 'b', 'c', 'd', 'e'), fail: fc.boolean(), delay: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 40 }),
        async (plan) => {
          const delivered: NodeReport[] = [];
          const attempts = new Map<string, number>();
          let inFlight = 0;
          let peak = 0;
          const box = outbox(async (report) => {
            inFlight++;
            peak = Math.max(peak, inFlight);
            const n = (attempts.get(report.reportId) ?? 0) + 1;
            attempts.set(report.reportId, n);
            const step = plan[Number(report.message)];
            await new Promise((resolve) => setTimeout(resolve, step.delay));
            inFlight--;
            // Each planned failure fails the first try only: the retry must go through.
            if (step.fail && n === 1) throw new Error('no responders');
            delivered.push(report);
            return ack(report);
          }, `p-${Math.random()}.jsonl`);
          await box.open();
          plan.forEach((step, i) => box.emit({ replicaUid: step.replica, kind: 'ready', message: String(i) }));
          await until(() => box.depth === 0);
          await box.close();
          expect(delivered.map((r) => Number(r.message)).sort((a, b) => a - b)).toEqual(plan.map((_, i) => i));
          for (const replica of ['a', 'b', 'c', 'd', 'e']) {
            const order = delivered.filter((r) => r.replicaUid === replica).map((r) => Number(r.message));
            expect(order).toEqual([...order].sort((a, b) => a - b));
          }
          expect(peak).toBeLessThanOrEqual(4);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('keeps unacked reports on disk across a restart and sends them first; acked ones never again', async () => {
    let accept = (report: NodeReport) => report.message === 'one';
    const first = outbox(async (report) => {
      if (!accept(report)) throw new Error('timeout');
      return ack(report);
    });
    await first.open();
    const one = first.emit({ replicaUid: 'a', kind: 'started', message: 'one' });
    const two = first.emit({ replicaUid: 'b', kind: 'started', message: 'two' });
    const three = first.emit({ replicaUid: 'b', kind: 'ready', message: 'three' });
    await until(() => first.depth === 2);
    await first.close();
    expect(first.pending().map((r) => r.reportId)).toEqual([two.reportId, three.reportId]);

    const seen: NodeReport[] = [];
    accept = () => true;
    const second = outbox(async (report) => {
      seen.push(report);
      return ack(report);
    });
    await second.open();
    await until(() => second.depth === 0);
    await second.close();
    expect(seen.map((r) => r.reportId)).toEqual([two.reportId, three.reportId]);
    expect(seen[0]).toEqual(two);
    expect(seen.map((r) => r.reportId)).not.toContain(one.reportId);
  });

  it('skips a torn last line and treats a report emitted twice with one id as one', async () => {
    const path = join(dir, 'torn.jsonl');
    const box = outbox(() => new Promise<ReportAck>(() => undefined), 'torn.jsonl');
    await box.open();
    const report = box.emit({ replicaUid: 'a', kind: 'exited', reportId: '0b9a8f0e-1f1e-5c7a-8f00-0123456789ab', exitCode: 1 });
    expect(box.emit({ replicaUid: 'a', kind: 'exited', reportId: report.reportId, exitCode: 1 })).toBe(report);
    await box.close();
    appendFileSync(path, '{"add":{"reportId":"trunc');
    const journal = new OutboxJournal(path);
    expect(await journal.load()).toEqual({ pending: [report], skipped: 1 });
  });

  it('drops a report the control plane rejects for good, and goes on with the next of that replica', async () => {
    const seen: string[] = [];
    const box = new ReportOutbox({
      node: 'n1',
      journal: new OutboxJournal(join(dir, 'rejected.jsonl')),
      transport: async (report) => {
        seen.push(report.message ?? '');
        if (report.message === 'bad') throw new Error('rejected');
        return ack(report);
      },
      timers,
      maxInFlight: 1,
      retry: { initialMs: 1, maxMs: 1 },
      isRejection: (error) => error instanceof Error && error.message === 'rejected',
    });
    await box.open();
    box.emit({ replicaUid: 'a', kind: 'started', message: 'bad' });
    box.emit({ replicaUid: 'a', kind: 'ready', message: 'good' });
    await until(() => box.depth === 0);
    await box.close();
    expect(seen).toEqual(['bad', 'good']);
  });

  it('compacts the journal to the unacked reports', async () => {
    const box = new ReportOutbox({
      node: 'n1',
      journal: new OutboxJournal(join(dir, 'compact.jsonl')),
      transport: async (report) => {
        if (report.replicaUid === 'stuck') throw new Error('timeout');
        return ack(report);
      },
      timers,
      maxInFlight: 8,
      retry: { initialMs: 50, maxMs: 50 },
      compactAfterLines: 20,
    });
    await box.open();
    const stuck = box.emit({ replicaUid: 'stuck', kind: 'started' });
    for (let i = 0; i < 60; i++) box.emit({ replicaUid: `r${i}`, kind: 'started' });
    await until(() => box.depth === 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    box.emit({ replicaUid: 'late', kind: 'started' });
    await until(() => box.depth === 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await box.close();
    const lines = readFileSync(join(dir, 'compact.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThan(20);
    expect((await new OutboxJournal(join(dir, 'compact.jsonl')).load()).pending.map((r) => r.reportId)).toEqual([stuck.reportId]);
  });
});
