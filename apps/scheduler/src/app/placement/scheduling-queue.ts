export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

interface Attempt {
  count: number;
  lastAt: number;
  /** Cluster epoch the failed attempt saw: only a later change can make it fit. */
  epoch: number;
}

interface Nomination {
  readonly node: string;
  readonly victims: readonly string[];
  readonly at: number;
}

/**
 * Kubernetes' unschedulable queue, reduced to what a level-triggered scheduler needs: a replica that
 * did not fit is tried again only after the cluster changed (a node joined or became ready or
 * schedulable, a replica went away) and its backoff (doubling, capped) has passed. No polling.
 * This is scheduler-local bookkeeping, not cluster state: a restart simply tries everything once.
 */
export class SchedulingQueue {
  private epoch = 0;
  private readonly attempts = new Map<string, Attempt>();
  private readonly nominations = new Map<string, Nomination>();

  constructor(private readonly backoff: BackoffOptions) {}

  get currentEpoch(): number {
    return this.epoch;
  }

  /** Something happened that may let a waiting replica fit. */
  clusterChanged(): void {
    this.epoch++;
  }

  backoffFor(count: number): number {
    return Math.min(this.backoff.initialMs * 2 ** Math.max(0, count - 1), this.backoff.maxMs);
  }

  isDue(uid: string, now: number): boolean {
    const attempt = this.attempts.get(uid);
    if (!attempt) return true;
    return attempt.epoch < this.epoch && now >= attempt.lastAt + this.backoffFor(attempt.count);
  }

  failed(uid: string, now: number, epoch: number): void {
    const attempt = this.attempts.get(uid);
    this.attempts.set(uid, { count: (attempt?.count ?? 0) + 1, lastAt: now, epoch });
  }

  forget(uid: string): void {
    this.attempts.delete(uid);
    this.nominations.delete(uid);
  }

  /** Drops what is known about replicas that are no longer pending. */
  retain(isPending: (uid: string) => boolean): void {
    for (const uid of this.attempts.keys()) if (!isPending(uid)) this.attempts.delete(uid);
    for (const uid of this.nominations.keys()) if (!isPending(uid)) this.nominations.delete(uid);
  }

  /** When the earliest replica that waits only for its backoff becomes due. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const attempt of this.attempts.values()) {
      if (attempt.epoch >= this.epoch) continue;
      const at = attempt.lastAt + this.backoffFor(attempt.count);
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  nominate(uid: string, node: string, victims: readonly string[], now: number): void {
    this.nominations.set(uid, { node, victims, at: now });
  }

  nomination(uid: string): Nomination | undefined {
    return this.nominations.get(uid);
  }

  clearNomination(uid: string): void {
    this.nominations.delete(uid);
  }

  get size(): number {
    return this.attempts.size;
  }
}
