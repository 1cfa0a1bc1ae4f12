import type { Deployment } from '@berth/contracts';
import type { Wire } from '../client/api.types';

export type RolloutStatus = { state: 'progressing'; message: string } | { state: 'done'; message: string } | { state: 'failed'; message: string };

/** kubectl's DeploymentStatusViewer: what `rollout status` prints for one observed state. */
export function rolloutStatus(d: Wire<Deployment>): RolloutStatus {
  const name = d.metadata?.name ?? '';
  const generation = d.metadata?.generation ?? 0;
  const status = d.status ?? {};
  if (generation > (status.observedGeneration ?? 0)) {
    return { state: 'progressing', message: 'Waiting for deployment spec update to be observed...' };
  }
  const progressing = status.conditions?.find((c) => c?.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { state: 'failed', message: `deployment ${JSON.stringify(name)} exceeded its progress deadline` };
  }
  const desired = d.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const waiting = `Waiting for deployment ${JSON.stringify(name)} rollout to finish: `;
  if (updated < desired) return { state: 'progressing', message: `${waiting}${updated} out of ${desired} new replicas have been updated...` };
  if (total > updated) return { state: 'progressing', message: `${waiting}${total - updated} old replicas are pending termination...` };
  if (available < updated) return { state: 'progressing', message: `${waiting}${available} of ${updated} updated replicas are available...` };
  return { state: 'done', message: `deployment ${JSON.stringify(name)} successfully rolled out` };
}
