import type { ProbeSpec } from '@berth/contracts';
import { TimerQueue } from '../shared/timer-queue';
import { ContainerProbes, type ProbeSet } from './container-probes';
import type { ProbeOutcome, ProbeRunner } from './probe-runner';

const spec = (more: Partial<ProbeSpec> = {}): ProbeSpec => ({ exec: { command: ['x'] }, initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 1, ...more });

/** Answers each probe kind from a script of outcomes (by the probe's command), recording when it ran. */
class ScriptedRunner implements ProbeRunner {
  readonly runs: { kind: string; at: number }[] = [];
  constructor(private readonly script: Record<string, boolean[]>) {}
  async run(probe: ProbeSpec): Promise<ProbeOutcome> {
    const kind = probe.exec?.command[0] ?? '?';
    this.runs.push({ kind, at: Date.now() });
    const next = this.script[kind]?.shift() ?? true;
    return next ? { ok: true } : { ok: false, message: `${kind} said no` };
  }
}

describe('ContainerProbes', () => {
  let timers: TimerQueue;
  beforeEach(() => {
    jest.useFakeTimers();
    timers = new TimerQueue();
  });
  afterEach(() => {
    timers.close();
    jest.useRealTimers();
  });

  const setup = (probes: ProbeSet, script: Record<string, boolean[]>) => {
    const runner = new ScriptedRunner(script);
    const events: string[] = [];
    const probesOf = new ContainerProbes({
      probes,
      target: { containerId: 'c', hostIp: '127.0.0.1', hostPorts: {}, namedPorts: {} },
      startedAt: Date.now(),
      runner,
      timers,
      onReadiness: (ready, why) => events.push(ready ? 'ready' : `notReady: ${why?.reason}: ${why?.message}`),
      onKill: (kind, message) => events.push(`kill ${kind}: ${message}`),
    });
    probesOf.start();
    return { runner, events, probes: probesOf };
  };
  const advance = async (ms: number) => {
    for (let i = 0; i < ms / 100; i++) await jest.advanceTimersByTimeAsync(100);
  };

  it('is ready at once without a readiness or startup probe', () => {
    expect(setup({}, {}).events).toEqual(['ready']);
  });

  it('becomes ready after initialDelaySeconds and the first passing readiness run, and not ready when it fails', async () => {
    const { events, runner } = setup({ readinessProbe: spec({ exec: { command: ['readiness'] }, initialDelaySeconds: 2, periodSeconds: 1 }) }, { readiness: [true, true, false, true] });
    await advance(1_900);
    expect(events).toEqual([]);
    await advance(200);
    expect(events).toEqual(['ready']);
    await advance(3_000);
    expect(events).toEqual(['ready', 'notReady: ReadinessProbeFailed: Readiness probe failed: readiness said no', 'ready']);
    expect(runner.runs.map((r) => r.kind)).toEqual(['readiness', 'readiness', 'readiness', 'readiness']);
  });

  it('gates liveness and readiness behind the startup probe', async () => {
    const { events, runner } = setup(
      { startupProbe: spec({ exec: { command: ['startup'] }, failureThreshold: 5 }), livenessProbe: spec({ exec: { command: ['liveness'] } }), readinessProbe: spec({ exec: { command: ['readiness'] } }) },
      { startup: [false, false, true] },
    );
    await advance(2_500);
    expect(runner.runs.map((r) => r.kind)).toEqual(['startup', 'startup', 'startup', 'liveness', 'readiness']);
    expect(events).toEqual(['ready']);
  });

  it('asks for a kill after failureThreshold liveness failures, and probes no more', async () => {
    const { events, runner } = setup({ livenessProbe: spec({ exec: { command: ['liveness'] }, failureThreshold: 2 }) }, { liveness: [true, false, false] });
    await advance(5_000);
    expect(events).toEqual(['ready', 'notReady: LivenessProbeFailed: Liveness probe failed: liveness said no', 'kill liveness: Liveness probe failed: liveness said no']);
    expect(runner.runs).toHaveLength(3);
  });

  it('asks for a kill when the startup probe never passes', async () => {
    const { events } = setup({ startupProbe: spec({ exec: { command: ['startup'] }, failureThreshold: 2 }) }, { startup: [false, false] });
    await advance(3_000);
    expect(events).toEqual(['kill startup: Startup probe failed: startup said no']);
  });

  it('stops cleanly', async () => {
    const { runner, probes } = setup({ readinessProbe: spec({ exec: { command: ['readiness'] } }) }, {});
    await advance(1_000);
    probes.stop();
    const count = runner.runs.length;
    await advance(3_000);
    expect(runner.runs).toHaveLength(count);
  });
});
