import type { ProbeSpec } from '@berth/contracts';

export type ProbeKind = 'startup' | 'liveness' | 'readiness';

/**
 * One probe's verdict from its run results, Kubernetes-style: it turns to success after
 * successThreshold successes in a row and to failure after failureThreshold failures in a row.
 * Readiness and startup start as failure (not ready, not started), liveness as success.
 */
export class ProbeTracker {
  private successes = 0;
  private failures = 0;
  private current: boolean;

  constructor(
    readonly kind: ProbeKind,
    private readonly spec: Pick<ProbeSpec, 'successThreshold' | 'failureThreshold'>,
  ) {
    this.current = kind === 'liveness';
  }

  get result(): boolean {
    return this.current;
  }

  /** Records one run; returns true when the verdict flipped. */
  record(success: boolean): boolean {
    if (success) {
      this.successes++;
      this.failures = 0;
      // Kubernetes forces successThreshold 1 for liveness and startup.
      const needed = this.kind === 'readiness' ? this.spec.successThreshold : 1;
      if (!this.current && this.successes >= needed) return this.flip(true);
    } else {
      this.failures++;
      this.successes = 0;
      if (this.current && this.failures >= this.spec.failureThreshold) return this.flip(false);
      // Startup has no earlier success to lose: failureThreshold failures end it as well.
      if (this.kind === 'startup' && this.failures >= this.spec.failureThreshold) return true;
    }
    return false;
  }

  /** Startup only: it gave up (failureThreshold failures before a success). */
  get exhausted(): boolean {
    return this.kind === 'startup' && !this.current && this.failures >= this.spec.failureThreshold;
  }

  private flip(to: boolean): boolean {
    this.current = to;
    return true;
  }
}
