import { canonicalJson, ConditionStatus, ConditionView, DeploymentState, DeploymentStatusView, findCondition } from '@berth/cluster-state';
import { maxUnavailableOf } from './rollout-math';

// Kubernetes' deployment condition reasons (pkg/controller/deployment/util).
export const ConditionReason = {
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
  NewReplicaSetCreated: 'NewReplicaSetCreated',
  FoundNewReplicaSet: 'FoundNewReplicaSet',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  NewReplicaSetAvailable: 'NewReplicaSetAvailable',
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  DeploymentPaused: 'DeploymentPaused',
  DeploymentResumed: 'DeploymentResumed',
} as const;

/** Replica counts after this sync's actions (created replicas count, deletion-requested ones do not). */
export interface ReplicaCounts {
  readonly replicas: number;
  readonly updated: number;
  readonly ready: number;
  readonly available: number;
}

export interface StatusContext {
  readonly now: number;
  /** `<deployment>-<templateHash>`: the ReplicaSet name Kubernetes messages mention. */
  readonly replicaSetName: string;
  /** This sync created the new revision, or made an old one current again. */
  readonly newReplicaSet?: 'created' | 'found';
}

function condition(type: string, status: ConditionStatus, reason: string, message: string): ConditionView {
  return { type, status, reason, message };
}

/** SetDeploymentCondition: nothing changes when status and reason are the same; lastTransitionTime only moves with status. */
function setCondition(conditions: ConditionView[], next: ConditionView, at: string): ConditionView[] {
  const index = conditions.findIndex((c) => c.type === next.type);
  const current = index >= 0 ? conditions[index] : undefined;
  if (current && current.status === next.status && current.reason === next.reason) return conditions;
  const updated: ConditionView = {
    ...next,
    lastUpdateTime: at,
    lastTransitionTime: current && current.status === next.status && current.lastTransitionTime ? current.lastTransitionTime : at,
  };
  const out = [...conditions];
  if (index >= 0) out[index] = updated;
  else out.push(updated);
  return out;
}

/** The Progressing special case: on real progress lastUpdateTime moves even when the reason stays. */
function markProgress(conditions: ConditionView[], next: ConditionView, at: string): ConditionView[] {
  const index = conditions.findIndex((c) => c.type === next.type);
  const current = index >= 0 ? conditions[index] : undefined;
  const updated: ConditionView = {
    ...next,
    lastUpdateTime: at,
    lastTransitionTime: current?.status === 'True' && current.lastTransitionTime ? current.lastTransitionTime : at,
  };
  const out = [...conditions];
  if (index >= 0) out[index] = updated;
  else out.push(updated);
  return out;
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available replicas than last recorded. */
export function hasProgressed(previous: DeploymentStatusView | undefined, counts: ReplicaCounts): boolean {
  const prev = previous ?? {};
  const oldBefore = (prev.replicas ?? 0) - (prev.updatedReplicas ?? 0);
  const oldNow = counts.replicas - counts.updated;
  return (
    counts.updated > (prev.updatedReplicas ?? 0) ||
    oldNow < oldBefore ||
    counts.ready > (prev.readyReplicas ?? 0) ||
    counts.available > (prev.availableReplicas ?? 0)
  );
}

/** DeploymentComplete: every replica updated and available, and the latest spec observed. */
export function isComplete(deployment: DeploymentState, counts: ReplicaCounts): boolean {
  const desired = deployment.spec.replicas;
  return counts.updated === desired && counts.replicas === desired && counts.available === desired;
}

/** DeploymentTimedOut, on the Progressing condition as it stands. */
export function hasTimedOut(deployment: DeploymentState, conditions: readonly ConditionView[], now: number): boolean {
  const deadline = deployment.spec.progressDeadlineSeconds;
  const progressing = findCondition(conditions, 'Progressing');
  if (deadline === undefined || !progressing) return false;
  if (progressing.reason === ConditionReason.NewReplicaSetAvailable) return false;
  if (progressing.reason === ConditionReason.ProgressDeadlineExceeded) return true;
  const from = progressing.lastUpdateTime ? Date.parse(progressing.lastUpdateTime) : NaN;
  return Number.isFinite(from) && from + deadline * 1000 < now;
}

/**
 * The status the deployment should have after this sync (calculateStatus + syncRolloutStatus of the
 * Kubernetes deployment controller). Timestamps only move when something changed, so an unchanged
 * cluster computes an equal status and nothing is appended.
 */
export function nextStatus(deployment: DeploymentState, counts: ReplicaCounts, context: StatusContext): DeploymentStatusView {
  const at = new Date(context.now).toISOString();
  const desired = deployment.spec.replicas;
  const rs = context.replicaSetName;
  let conditions: ConditionView[] = [...(deployment.status?.conditions ?? [])];

  const minAvailable = desired - maxUnavailableOf(deployment.spec);
  conditions = setCondition(
    conditions,
    counts.available >= minAvailable
      ? condition('Available', 'True', ConditionReason.MinimumReplicasAvailable, 'Deployment has minimum availability.')
      : condition('Available', 'False', ConditionReason.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.'),
    at,
  );

  const progressing = findCondition(conditions, 'Progressing');
  if (deployment.paused) {
    if (progressing?.reason !== ConditionReason.DeploymentPaused) {
      conditions = setCondition(conditions, condition('Progressing', 'Unknown', ConditionReason.DeploymentPaused, 'Deployment is paused'), at);
    }
  } else {
    if (progressing?.reason === ConditionReason.DeploymentPaused) {
      conditions = setCondition(conditions, condition('Progressing', 'Unknown', ConditionReason.DeploymentResumed, 'Deployment is resumed'), at);
    }
    if (context.newReplicaSet === 'created') {
      conditions = setCondition(conditions, condition('Progressing', 'True', ConditionReason.NewReplicaSetCreated, `Created new replica set "${rs}"`), at);
    } else if (context.newReplicaSet === 'found') {
      conditions = setCondition(conditions, condition('Progressing', 'True', ConditionReason.FoundNewReplicaSet, `Found new replica set "${rs}"`), at);
    }
    if (deployment.spec.progressDeadlineSeconds !== undefined) {
      const current = findCondition(conditions, 'Progressing');
      const alreadyComplete = counts.replicas === counts.updated && current?.reason === ConditionReason.NewReplicaSetAvailable;
      if (!alreadyComplete) {
        if (isComplete(deployment, counts)) {
          conditions = setCondition(conditions, condition('Progressing', 'True', ConditionReason.NewReplicaSetAvailable, `ReplicaSet "${rs}" has successfully progressed.`), at);
        } else if (context.newReplicaSet) {
          // The new set's own condition (just stamped) stands for this sync's progress.
        } else if (hasProgressed(deployment.status, counts)) {
          conditions = markProgress(conditions, condition('Progressing', 'True', ConditionReason.ReplicaSetUpdated, `ReplicaSet "${rs}" is progressing.`), at);
        } else if (hasTimedOut(deployment, conditions, context.now)) {
          conditions = setCondition(conditions, condition('Progressing', 'False', ConditionReason.ProgressDeadlineExceeded, `ReplicaSet "${rs}" has timed out progressing.`), at);
        }
      }
    }
  }

  return {
    observedGeneration: deployment.generation,
    replicas: counts.replicas,
    updatedReplicas: counts.updated,
    readyReplicas: counts.ready,
    availableReplicas: counts.available,
    unavailableReplicas: Math.max(0, counts.replicas - counts.available),
    conditions,
  };
}

export function sameStatus(a: DeploymentStatusView | undefined, b: DeploymentStatusView | undefined): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

/** When the progress deadline will pass, if a rollout is under way and has not timed out yet. */
export function deadlineAt(deployment: DeploymentState, status: DeploymentStatusView): number | undefined {
  const deadline = deployment.spec.progressDeadlineSeconds;
  const progressing = findCondition(status.conditions, 'Progressing');
  if (deployment.paused || deadline === undefined || !progressing || progressing.status !== 'True') return undefined;
  if (progressing.reason === ConditionReason.NewReplicaSetAvailable) return undefined;
  const from = progressing.lastUpdateTime ? Date.parse(progressing.lastUpdateTime) : NaN;
  return Number.isFinite(from) ? from + deadline * 1000 + 1 : undefined;
}
