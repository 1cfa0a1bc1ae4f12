import type { DesiredReplica } from '@berth/contracts';
import { ExponentialBackoff, type BackoffOptions } from '../shared/backoff';
import type { ReplicaProgress } from './reconcile-planner';

/** Everything the agent remembers about one replica between reconcile passes. */
export class ReplicaRecord implements ReplicaProgress {
  private operations = 0;
  lastAttempt = -1;
  nextStartAt = 0;
  terminated = false;
  ready = false;
  /** Reason of the last `failed` report, so a create failing the same way again is not reported again. */
  lastFailureReason?: string;
  /** The latest desired spec; kept after the replica leaves the desired set, for its grace period. */
  spec?: DesiredReplica;
  /** CrashLoopBackOff. */
  readonly restartBackoff: ExponentialBackoff;
  /** Retries of a create that failed (image pull, port, command...). */
  readonly createBackoff: ExponentialBackoff;

  constructor(
    readonly uid: string,
    backoff: BackoffOptions,
  ) {
    this.restartBackoff = new ExponentialBackoff(backoff);
    this.createBackoff = new ExponentialBackoff(backoff);
  }

  /** An operation (create, kill, removal) is in flight: the planner leaves the replica alone. */
  get busy(): boolean {
    return this.operations > 0;
  }

  /** Marks an operation in flight until the returned function is called (once). */
  begin(): () => void {
    this.operations++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.operations--;
    };
  }
}
