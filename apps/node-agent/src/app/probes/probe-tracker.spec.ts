import fc from 'fast-check';
import { ProbeTracker } from './probe-tracker';

describe('ProbeTracker', () => {
  it('readiness: not ready until successThreshold successes in a row, not ready again after failureThreshold failures', () => {
    const probe = new ProbeTracker('readiness', { successThreshold: 2, failureThreshold: 3 });
    expect(probe.result).toBe(false);
    expect(probe.record(true)).toBe(false);
    expect(probe.record(false)).toBe(false);
    expect(probe.record(true)).toBe(false);
    expect(probe.record(true)).toBe(true);
    expect(probe.result).toBe(true);
    expect([false, false].map((ok) => probe.record(ok))).toEqual([false, false]);
    expect(probe.record(true)).toBe(false);
    expect([false, false, false].map((ok) => probe.record(ok))).toEqual([false, false, true]);
    expect(probe.result).toBe(false);
  });

  it('liveness: starts alive, one success is enough to recover', () => {
    const probe = new ProbeTracker('liveness', { successThreshold: 5, failureThreshold: 2 });
    expect(probe.result).toBe(true);
    probe.record(false);
    expect(probe.record(false)).toBe(true);
    expect(probe.result).toBe(false);
    expect(probe.record(true)).toBe(true);
  });

  it('startup: one success starts it; failureThreshold failures first exhaust it', () => {
    const ok = new ProbeTracker('startup', { successThreshold: 1, failureThreshold: 3 });
    ok.record(false);
    expect(ok.record(true)).toBe(true);
    expect(ok.result).toBe(true);
    const bad = new ProbeTracker('startup', { successThreshold: 1, failureThreshold: 2 });
    expect(bad.record(false)).toBe(false);
    expect(bad.record(false)).toBe(true);
    expect(bad.exhausted).toBe(true);
  });

  it('the verdict is always the last threshold-long run of equal results (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.array(fc.boolean(), { maxLength: 40 }), (successThreshold, failureThreshold, runs) => {
        const probe = new ProbeTracker('readiness', { successThreshold, failureThreshold });
        let expected = false;
        runs.forEach((ok, i) => {
          const tail = runs.slice(0, i + 1);
          const streak = tail.length - 1 - tail.map((r) => r !== ok).lastIndexOf(true);
          if (ok && streak >= successThreshold) expected = true;
          if (!ok && streak >= failureThreshold) expected = false;
          probe.record(ok);
          expect(probe.result).toBe(expected);
        });
      }),
    );
  });
});
