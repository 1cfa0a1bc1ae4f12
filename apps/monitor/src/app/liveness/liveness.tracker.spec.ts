import fc from 'fast-check';
import { NodeHeartbeat } from '@berth/contracts';
import { LivenessDecision, LivenessOptions, LivenessTracker, MonotonicClock } from './liveness.tracker';

class FakeClock implements MonotonicClock {
  t = 10_000;
  now(): number {
    return this.t;
  }
}

const options: LivenessOptions = { notReadyAfterMs: 1_800, lostAfterMs: 2_500, tickIntervalMs: 100, lagToleranceMs: 150 };

/** Drives a tracker the way LivenessService does, with an in-memory log that accepts every append. */
class Harness {
  readonly clock = new FakeClock();
  readonly tracker: LivenessTracker;
  readonly log: { at: number; node: string; type: string; version: number }[] = [];
  private readonly versions = new Map<string, number>();
  private readonly seqs = new Map<string, number>();
  autoSettle = true;
  readonly pending: LivenessDecision[] = [];

  constructor(opts: LivenessOptions = options) {
    this.tracker = new LivenessTracker(opts, this.clock);
    this.tracker.load([]);
  }

  heartbeat(node: string, overrides: Partial<NodeHeartbeat> = {}): void {
    const seq = overrides.seq ?? (this.seqs.get(node) ?? -1) + 1;
    this.seqs.set(node, Math.max(seq, this.seqs.get(node) ?? -1));
    const decision = this.tracker.heartbeat({
      node,
      bootId: 'boot-1',
      seq,
      sentAt: 1_700_000_000_000 + this.clock.t,
      address: '127.0.0.2',
      labels: { zone: 'a' },
      taints: [],
      capacity: { cpuMilli: 2000, memoryBytes: 2 ** 31 },
      allocatable: { cpuMilli: 2000, memoryBytes: 2 ** 31 },
      info: {},
      replicas: 0,
      ...overrides,
    });
    if (decision) this.handle(decision);
  }

  /** Advances time in tick-sized steps, ticking at each. */
  advance(ms: number, step = options.tickIntervalMs): void {
    for (let done = 0; done < ms; done += step) {
      this.clock.t += Math.min(step, ms - done);
      for (const decision of this.tracker.tick()) this.handle(decision);
    }
  }

  /** Our event loop was blocked for `ms`: no tick ran meanwhile. */
  stall(ms: number): void {
    this.clock.t += ms;
    for (const decision of this.tracker.tick()) this.handle(decision);
  }

  handle(decision: LivenessDecision): void {
    if (!this.autoSettle) {
      this.pending.push(decision);
      return;
    }
    this.append(decision);
  }

  append(decision: LivenessDecision): void {
    const current = this.versions.get(decision.node) ?? -1;
    if (current !== decision.expectedVersion) throw new Error(`expected ${decision.expectedVersion}, stream at ${current}`);
    decision.events.forEach((event, i) => this.log.push({ at: this.clock.t, node: decision.node, type: event.type, version: current + 1 + i }));
    this.versions.set(decision.node, current + decision.events.length);
    this.tracker.settle(decision, { kind: 'appended', streamVersion: current + decision.events.length });
  }

  types(node?: string): string[] {
    return this.log.filter((e) => !node || e.node === node).map((e) => e.type);
  }
}

describe('LivenessTracker', () => {
  it('registers a node on its first heartbeat and declares it ready', () => {
    const h = new Harness();
    h.heartbeat('n1');
    expect(h.types()).toEqual(['NodeRegistered', 'NodeReady']);
    expect(h.log.map((e) => e.version)).toEqual([0, 1]);
    // Heartbeats on time change nothing.
    for (let i = 0; i < 10; i++) {
      h.advance(1_000);
      h.heartbeat('n1');
    }
    expect(h.types()).toEqual(['NodeRegistered', 'NodeReady']);
    expect(h.tracker.inspect('n1')).toMatchObject({ condition: 'Ready', version: 1, pending: false });
  });

  it('goes ready -> notReady -> lost on silence, at the configured times', () => {
    const h = new Harness();
    h.heartbeat('n1');
    const lastBeat = h.clock.t;
    h.advance(5_000);
    expect(h.types()).toEqual(['NodeRegistered', 'NodeReady', 'NodeNotReady', 'NodeLost']);
    const notReadyAt = h.log[2].at - lastBeat;
    const lostAt = h.log[3].at - lastBeat;
    expect(notReadyAt).toBeGreaterThanOrEqual(1_800);
    expect(notReadyAt).toBeLessThan(1_900);
    expect(lostAt).toBeGreaterThanOrEqual(2_500);
    expect(lostAt).toBeLessThan(2_600);
    // Lost is final until the node speaks again.
    h.advance(10_000);
    expect(h.types()).toHaveLength(4);
  });

  it('brings a node back with NodeReady when a late heartbeat arrives after NotReady or Lost', () => {
    const h = new Harness();
    h.heartbeat('n1');
    h.advance(2_000);
    expect(h.types()).toEqual(['NodeRegistered', 'NodeReady', 'NodeNotReady']);
    h.heartbeat('n1');
    expect(h.types()).toEqual(['NodeRegistered', 'NodeReady', 'NodeNotReady', 'NodeReady']);
    h.advance(3_000);
    h.heartbeat('n1');
    expect(h.types().slice(4)).toEqual(['NodeNotReady', 'NodeLost', 'NodeReady']);
  });

  it('re-registers on a new boot id or changed labels, taints, capacity or address, but not on info alone', () => {
    const h = new Harness();
    h.heartbeat('n1');
    h.heartbeat('n1', { info: { kernel: '6.1' } });
    h.heartbeat('n1', { labels: { zone: 'a' } });
    expect(h.types()).toEqual(['NodeRegistered', 'NodeReady']);
    h.heartbeat('n1', { labels: { zone: 'b' } });
    h.heartbeat('n1', { labels: { zone: 'b' }, taints: [{ key: 'gpu', effect: 'NoSchedule' }] });
    h.heartbeat('n1', { labels: { zone: 'b' }, taints: [{ key: 'gpu', effect: 'NoSchedule' }], address: '127.0.0.3' });
    h.heartbeat('n1', {
      labels: { zone: 'b' },
      taints: [{ key: 'gpu', effect: 'NoSchedule' }],
      address: '127.0.0.3',
      capacity: { cpuMilli: 4000, memoryBytes: 2 ** 31 },
    });
    expect(h.types().slice(2)).toEqual(['NodeRegistered', 'NodeRegistered', 'NodeRegistered', 'NodeRegistered']);
    h.heartbeat('n1', {
      bootId: 'boot-2',
      seq: 0,
      labels: { zone: 'b' },
      taints: [{ key: 'gpu', effect: 'NoSchedule' }],
      address: '127.0.0.3',
      capacity: { cpuMilli: 4000, memoryBytes: 2 ** 31 },
    });
    expect(h.types().slice(6)).toEqual(['NodeRegistered']);
  });

  describe('flapping guard', () => {
    it('property: heartbeats that are late by less than the NotReady margin never produce a transition', () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: 1_650 }), { minLength: 5, maxLength: 60 }), (gaps) => {
          const h = new Harness();
          h.heartbeat('n1');
          for (const gap of gaps) {
            h.advance(gap);
            h.heartbeat('n1');
          }
          expect(h.types()).toEqual(['NodeRegistered', 'NodeReady']);
        }),
      );
    });

    it('ignores stale heartbeats: an older seq, or a straggler from the previous agent process', () => {
      const h = new Harness();
      h.heartbeat('n1', { seq: 10 });
      h.advance(1_000);
      h.heartbeat('n1', { seq: 11, bootId: 'boot-2' });
      expect(h.types()).toEqual(['NodeRegistered', 'NodeReady', 'NodeRegistered']);
      const sentBefore = 1_700_000_000_000 + h.clock.t - 500;
      // Delayed messages of boot-1 arrive after boot-2 took over: no flip back.
      h.heartbeat('n1', { seq: 12, bootId: 'boot-1', sentAt: sentBefore });
      h.heartbeat('n1', { seq: 5, bootId: 'boot-2', labels: { zone: 'z' } });
      expect(h.types()).toEqual(['NodeRegistered', 'NodeReady', 'NodeRegistered']);
      // Stale messages do not count as life either.
      h.advance(1_850);
      expect(h.types()).toEqual(['NodeRegistered', 'NodeReady', 'NodeRegistered', 'NodeNotReady']);
    });
  });

  describe('loop-lag guard', () => {
    it('extends the deadline instead of blaming nodes when our own event loop was blocked', () => {
      const h = new Harness();
      h.heartbeat('n1');
      h.heartbeat('n2');
      h.advance(900);
      // Blocked for 3 s: the nodes kept sending; their heartbeats wait unread in our socket.
      h.stall(3_000);
      expect(h.tracker.stalls).toBe(1);
      h.heartbeat('n1');
      h.heartbeat('n2');
      h.advance(1_000);
      expect(h.types()).toEqual(['NodeRegistered', 'NodeReady', 'NodeRegistered', 'NodeReady']);
    });

    it('still judges a node that stays silent after the stall, only later by the stall time', () => {
      const h = new Harness();
      h.heartbeat('n1');
      const lastBeat = h.clock.t;
      h.advance(500);
      h.stall(1_000);
      h.advance(5_000);
      expect(h.types()).toEqual(['NodeRegistered', 'NodeReady', 'NodeNotReady', 'NodeLost']);
      const lostAfter = h.log[3].at - lastBeat;
      expect(lostAfter).toBeGreaterThanOrEqual(2_500 + 900);
      expect(lostAfter).toBeLessThan(2_500 + 1_100);
    });

    it('caps the credit, so a dead node is declared lost even on a monitor that keeps stalling', () => {
      const h = new Harness({ ...options, maxLagCreditMs: 1_000 });
      h.heartbeat('n1');
      const lastBeat = h.clock.t;
      for (let i = 0; i < 10 && !h.types().includes('NodeLost'); i++) {
        h.stall(600);
        h.advance(200);
      }
      expect(h.types()).toContain('NodeLost');
      expect(h.log[h.log.length - 1].at - lastBeat).toBeLessThanOrEqual(2_500 + 1_000 + 800);
    });

    it('tolerates ticks that are only a little late', () => {
      const h = new Harness();
      h.heartbeat('n1');
      h.advance(2_000, 240);
      expect(h.tracker.stalls).toBe(0);
      expect(h.types()).toContain('NodeNotReady');
    });
  });

  it('gives every known node a fresh grace period when the lease is taken', () => {
    const h = new Harness();
    h.clock.t += 60_000;
    h.tracker.load([
      { name: 'ready', streamVersion: 5, condition: 'Ready', registration: null },
      { name: 'lost', streamVersion: 3, condition: 'Lost', registration: null },
      { name: 'down', streamVersion: 7, condition: 'NotReady', registration: null },
    ]);
    const decisions: LivenessDecision[] = [];
    const tickFor = (ms: number) => {
      for (let i = 0; i < ms / 100; i++) {
        h.clock.t += 100;
        decisions.push(...h.tracker.tick());
      }
      return decisions.map((d) => [d.node, d.expectedVersion, d.events.map((e) => e.type)]);
    };
    expect(tickFor(1_700)).toEqual([]);
    expect(tickFor(300)).toEqual([['ready', 5, ['NodeNotReady']]]);
    // A node already NotReady goes Lost after the grace period; one already Lost stays as it is.
    expect(tickFor(600)).toEqual([
      ['ready', 5, ['NodeNotReady']],
      ['down', 7, ['NodeLost']],
    ]);
  });

  it('keeps one decision per node in flight and folds what another writer appended on a conflict', () => {
    const h = new Harness();
    h.heartbeat('n1');
    h.autoSettle = false;
    h.advance(2_000);
    expect(h.pending.map((d) => d.events[0].type)).toEqual(['NodeNotReady']);
    h.advance(1_000);
    expect(h.pending).toHaveLength(1);
    // Another copy already wrote NotReady and Lost at versions 2 and 3.
    h.tracker.settle(h.pending[0], {
      kind: 'conflict',
      newerEvents: [
        { type: 'NodeNotReady', data: { reason: 'x' }, streamVersion: 2 },
        { type: 'NodeLost', data: { reason: 'x' }, streamVersion: 3 },
      ],
    });
    expect(h.tracker.inspect('n1')).toMatchObject({ condition: 'Lost', version: 3, pending: false });
    h.advance(1_000);
    expect(h.pending).toHaveLength(1);
    h.heartbeat('n1');
    expect(h.pending[1]).toMatchObject({ expectedVersion: 3, events: [{ type: 'NodeReady' }] });
  });

  it('retries a failed append after a pause', () => {
    const h = new Harness({ ...options, retryAfterMs: 1_000 });
    h.autoSettle = false;
    h.heartbeat('n1');
    h.tracker.settle(h.pending[0], { kind: 'failed' });
    h.advance(900);
    expect(h.pending).toHaveLength(1);
    h.advance(200);
    expect(h.pending).toHaveLength(2);
    expect(h.pending[1]).toMatchObject({ expectedVersion: -1, events: [{ type: 'NodeRegistered' }, { type: 'NodeReady' }] });
  });

  it('judges nobody after stop(), and ignores decisions that settle after it', () => {
    const h = new Harness();
    h.autoSettle = false;
    h.heartbeat('n1');
    h.tracker.stop();
    h.tracker.settle(h.pending[0], { kind: 'appended', streamVersion: 1 });
    expect(h.tracker.inspect('n1')).toBeNull();
    h.advance(5_000);
    h.heartbeat('n1');
    expect(h.pending).toHaveLength(1);
  });

  it('suspends judgement while blind and gives a fresh grace period on resume', () => {
    const h = new Harness();
    h.heartbeat('n1');
    h.tracker.suspend();
    h.advance(5_000);
    expect(h.types()).toEqual(['NodeRegistered', 'NodeReady']);
    h.tracker.resume();
    h.advance(1_700);
    expect(h.types()).toEqual(['NodeRegistered', 'NodeReady']);
    h.advance(200);
    expect(h.types()).toEqual(['NodeRegistered', 'NodeReady', 'NodeNotReady']);
  });

  it('refuses thresholds where Lost would come before NotReady', () => {
    expect(() => new LivenessTracker({ ...options, lostAfterMs: 1_000 })).toThrow(RangeError);
  });
});
