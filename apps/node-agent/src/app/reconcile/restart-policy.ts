import type { ContainerExit } from '@berth/docker-runtime';
import type { DesiredReplica } from '@berth/contracts';

export type RestartPolicy = DesiredReplica['restartPolicy'];

/** Kubernetes: Always restarts any exit, OnFailure any but a clean one, Never none. */
export function shouldRestart(policy: RestartPolicy, exit: Pick<ContainerExit, 'exitCode' | 'reason'> | undefined): boolean {
  if (policy === 'Always') return true;
  if (policy === 'Never') return false;
  return !exit || exit.exitCode !== 0 || exit.reason === 'OOMKilled';
}

/** How long a container ran, when the runtime told us both ends. */
export function ranFor(startedAt: number | undefined, finishedAt: number | undefined): number {
  return startedAt !== undefined && finishedAt !== undefined ? Math.max(0, finishedAt - startedAt) : 0;
}
