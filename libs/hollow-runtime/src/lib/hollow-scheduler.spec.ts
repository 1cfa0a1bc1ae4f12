import fc from 'fast-check';
import { HollowScheduler } from './hollow-scheduler';

describe('HollowScheduler', () => {
  it('runs actions in time order, ties in scheduling order, and moves now() to each', async () => {
    const scheduler = new HollowScheduler({ manual: true, startAt: 1_000 });
    const seen: Array<[string, number]> = [];
    const record = (label: string) => () => seen.push([label, scheduler.now()]);
    scheduler.schedule(30, record('c'));
    scheduler.schedule(10, record('a'));
    scheduler.schedule(10, record('b'));
    scheduler.schedule(50, record('late'));
    await scheduler.advance(30);
    expect(seen).toEqual([
      ['a', 1_010],
      ['b', 1_010],
      ['c', 1_030],
    ]);
    expect(scheduler.now()).toBe(1_030);
    expect(scheduler.pending).toBe(1);
  });

  it('never runs a cancelled action and does not count it as pending', async () => {
    const scheduler = new HollowScheduler({ manual: true });
    const ran: string[] = [];
    const keep = scheduler.schedule(5, () => ran.push('keep'));
    const drop = scheduler.schedule(5, () => ran.push('drop'));
    drop.cancel();
    drop.cancel();
    expect(scheduler.pending).toBe(1);
    await scheduler.advance(10);
    expect(ran).toEqual(['keep']);
    keep.cancel();
    expect(scheduler.pending).toBe(0);
  });

  it('lets promise continuations run at the instant they were resolved, before later actions', async () => {
    const scheduler = new HollowScheduler({ manual: true, startAt: 0 });
    const seen: string[] = [];
    const waited = new Promise<void>((resolve) => scheduler.schedule(10, resolve));
    void waited.then(() => {
      seen.push(`continued at ${scheduler.now()}`);
      scheduler.schedule(5, () => seen.push(`follow-up at ${scheduler.now()}`));
    });
    scheduler.schedule(12, () => seen.push(`other at ${scheduler.now()}`));
    await scheduler.advance(100);
    expect(seen).toEqual(['continued at 10', 'other at 12', 'follow-up at 15']);
  });

  it('keeps the heap ordered through many random schedules and cancellations (compaction included)', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Mostly cancelled, and more than 1024 of them, so the lazy-deletion compaction runs too.
        fc.array(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 3 }).map((v) => v < 3)), { minLength: 1500, maxLength: 3000 }),
        async (plan) => {
          const scheduler = new HollowScheduler({ manual: true, startAt: 0 });
          const ran: Array<{ at: number; index: number }> = [];
          plan.forEach(([delay, cancel], index) => {
            const action = scheduler.schedule(delay, () => ran.push({ at: scheduler.now(), index }));
            if (cancel) action.cancel();
          });
          await scheduler.advance(1_000);
          const expected = plan
            .map(([delay, cancel], index) => ({ at: delay, index, cancel }))
            .filter((entry) => !entry.cancel)
            .sort((a, b) => a.at - b.at || a.index - b.index)
            .map(({ at, index }) => ({ at, index }));
          expect(ran).toEqual(expected);
          expect(scheduler.pending).toBe(0);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('real mode: thousands of scheduled actions share one timer and all run', async () => {
    const scheduler = new HollowScheduler({ resolutionMs: 5 });
    const timersBefore = liveTimeouts();
    let ran = 0;
    const all = Array.from(
      { length: 5_000 },
      (_, i) => new Promise<void>((resolve) => scheduler.schedule(1 + (i % 40), () => (ran++, resolve()))),
    );
    expect(liveTimeouts() - timersBefore).toBe(1);
    await Promise.all(all);
    expect(ran).toBe(5_000);
    expect(scheduler.pending).toBe(0);
    scheduler.close();
  });

  it('real mode with timeScale runs simulated time faster than the wall clock', async () => {
    const scheduler = new HollowScheduler({ timeScale: 100 });
    const simulatedStart = scheduler.now();
    const wallStart = Date.now();
    await new Promise<void>((resolve) => scheduler.schedule(2_000, resolve));
    expect(scheduler.now() - simulatedStart).toBeGreaterThanOrEqual(2_000);
    expect(Date.now() - wallStart).toBeLessThan(1_500);
    scheduler.close();
  });

  it('close() drops everything and refuses advance on a real clock', async () => {
    const scheduler = new HollowScheduler();
    let ran = false;
    scheduler.schedule(1, () => (ran = true));
    scheduler.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ran).toBe(false);
    expect(scheduler.pending).toBe(0);
    await expect(scheduler.advance(10)).rejects.toThrow(/manual/);
  });
});

function liveTimeouts(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}
