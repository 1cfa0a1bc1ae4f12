import type { DesiredContainer, ProbeSpec } from '@berth/contracts';
import type { CancelTimer, TimerQueue } from '../shared/timer-queue';
import type { ProbeRunner, ProbeTarget } from './probe-runner';
import { ProbeTracker, type ProbeKind } from './probe-tracker';

export type ProbeSet = Pick<DesiredContainer, 'startupProbe' | 'livenessProbe' | 'readinessProbe'>;

/** Why a container is not ready (any more): `ReadinessProbeFailed`, `LivenessProbeFailed` or `StartupProbeFailed`. */
export interface NotReadyReason {
  reason: string;
  message: string;
}

export interface ContainerProbesOptions {
  probes: ProbeSet;
  target: ProbeTarget;
  /** Container start (ms): initialDelaySeconds count from it, also for an adopted container. */
  startedAt: number;
  runner: ProbeRunner;
  timers: TimerQueue;
  /** Ready changed: started (startup passed) and readiness passing, or just started without a readiness probe. */
  onReadiness: (ready: boolean, why?: NotReadyReason) => void;
  /** A liveness or startup probe gave up: the container has to be killed (and restarted per policy). */
  onKill: (kind: 'liveness' | 'startup', message: string) => void;
  onProbeFailure?: (kind: ProbeKind, message: string) => void;
}

/** The probes of one running container, on the shared timer queue. The startup probe gates the others. */
export class ContainerProbes {
  private readonly trackers = new Map<ProbeKind, ProbeTracker>();
  private readonly timers = new Map<ProbeKind, CancelTimer>();
  private started: boolean;
  private readyNow = false;
  private stopped = false;

  constructor(private readonly options: ContainerProbesOptions) {
    this.started = !options.probes.startupProbe;
  }

  get ready(): boolean {
    return this.readyNow;
  }

  start(): void {
    if (this.options.probes.startupProbe) this.schedule('startup', this.options.probes.startupProbe, this.firstDelay(this.options.probes.startupProbe));
    else this.afterStartup();
  }

  stop(): void {
    this.stopped = true;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  private afterStartup(): void {
    const { livenessProbe, readinessProbe } = this.options.probes;
    if (livenessProbe) this.schedule('liveness', livenessProbe, this.firstDelay(livenessProbe));
    if (readinessProbe) this.schedule('readiness', readinessProbe, this.firstDelay(readinessProbe));
    else this.setReady(true);
  }

  private firstDelay(probe: ProbeSpec): number {
    return Math.max(0, this.options.startedAt + probe.initialDelaySeconds * 1000 - Date.now());
  }

  private schedule(kind: ProbeKind, probe: ProbeSpec, delayMs: number): void {
    if (this.stopped) return;
    this.timers.set(
      kind,
      this.options.timers.schedule(delayMs, () => void this.run(kind, probe)),
    );
  }

  private async run(kind: ProbeKind, probe: ProbeSpec): Promise<void> {
    this.timers.delete(kind);
    const began = Date.now();
    const outcome = await this.options.runner.run(probe, this.options.target);
    if (this.stopped) return;
    let tracker = this.trackers.get(kind);
    if (!tracker) this.trackers.set(kind, (tracker = new ProbeTracker(kind, probe)));
    const message = outcome.message ?? '';
    if (!outcome.ok) this.options.onProbeFailure?.(kind, message);
    const flipped = tracker.record(outcome.ok);
    if (kind === 'startup') {
      if (tracker.result) {
        this.started = true;
        this.afterStartup();
        return;
      }
      if (tracker.exhausted) return this.kill('startup', `Startup probe failed: ${message}`);
    } else if (kind === 'liveness') {
      if (flipped && !tracker.result) return this.kill('liveness', `Liveness probe failed: ${message}`);
    } else if (flipped) {
      this.setReady(this.started && tracker.result, tracker.result ? undefined : { reason: 'ReadinessProbeFailed', message: `Readiness probe failed: ${message}` });
    }
    this.schedule(kind, probe, Math.max(0, probe.periodSeconds * 1000 - (Date.now() - began)));
  }

  private kill(kind: 'liveness' | 'startup', message: string): void {
    this.stop();
    this.setReady(false, { reason: kind === 'liveness' ? 'LivenessProbeFailed' : 'StartupProbeFailed', message });
    this.options.onKill(kind, message);
  }

  private setReady(ready: boolean, why?: NotReadyReason): void {
    if (ready === this.readyNow) return;
    this.readyNow = ready;
    this.options.onReadiness(ready, why);
  }
}
