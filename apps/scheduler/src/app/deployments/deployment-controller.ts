import {
  availableAt,
  ClusterState,
  DeploymentState,
  DeploymentStatusView,
  isReplicaAvailable,
  latestRevisionNumber,
  podSpecOf,
  PodTemplate,
  ReplicaState,
  replicasOf,
  revisionByHash,
} from '@berth/cluster-state';
import { EventData, NewEvent } from '@berth/contracts';
import { deadlineAt, nextStatus, ReplicaCounts, sameStatus } from './deployment-status';
import { compareForDeletion, pickForDeletion } from './replica-ranking';
import { replicaUid } from './replica-identity';
import { fencepostsOf, maxUnavailableOf } from './rollout-math';

export const DeletionReason = {
  ScaledDown: 'ScaledDown',
  Orphaned: 'Orphaned',
  DeploymentDeleted: 'DeploymentDeleted',
  Drained: 'Drained',
  Preempted: 'Preempted',
  NodeLost: 'NodeLost',
} as const;

/** Replicas one sync creates at most (kube's burst): a 20,000-replica deployment fills over many passes, each placed as it goes. */
export const MAX_CREATIONS_PER_SYNC = 500;

export interface ReplicaCreation {
  readonly uid: string;
  readonly data: EventData<'ReplicaCreated'>;
}

export interface ReplicaDeletion {
  readonly uid: string;
  /** Version of the replica stream this decision was made on. */
  readonly expectedVersion: number;
  readonly reason: string;
  /** Never bound, so nothing runs: ReplicaDeleted goes with the request. */
  readonly immediate: boolean;
}

/** What one sync of a deployment wants appended; empty when the deployment is as it should be. */
export interface DeploymentPlan {
  readonly key: string;
  /** Expected version of the deployment stream for `deploymentEvents`. */
  readonly expectedVersion: number;
  readonly deploymentEvents: NewEvent[];
  readonly creations: ReplicaCreation[];
  readonly deletions: ReplicaDeletion[];
  /** Sync again at this time (minReadySeconds elapsing, progress deadline). */
  readonly requeueAt?: number;
  /** Kubernetes-style event messages ("Scaled up replica set web-abc to 3"), for the log. */
  readonly notes: string[];
}

export function isEmptyPlan(plan: DeploymentPlan): boolean {
  return plan.deploymentEvents.length === 0 && plan.creations.length === 0 && plan.deletions.length === 0;
}

function deletion(replica: ReplicaState, reason: string): ReplicaDeletion {
  return { uid: replica.uid, expectedVersion: replica.version, reason, immediate: replica.node === undefined };
}

/** One template hash's replicas: a ReplicaSet in Kubernetes terms. */
interface ReplicaGroup {
  readonly hash: string;
  readonly age: number;
  readonly replicas: ReplicaState[];
}

/** Collects a sync's decisions; replicas it deletes stop counting, replicas it creates start counting. */
class SyncDraft {
  readonly deletions: ReplicaDeletion[] = [];
  readonly creations: ReplicaCreation[] = [];
  readonly notes: string[] = [];
  private readonly deleted = new Set<string>();

  constructor(
    readonly deployment: DeploymentState,
    private readonly revisionOf: (hash: string) => { revision: number; template: PodTemplate } | undefined,
  ) {}

  isDeleted(replica: ReplicaState): boolean {
    return this.deleted.has(replica.uid);
  }

  remove(replicas: readonly ReplicaState[], reason: string): number {
    let count = 0;
    for (const replica of replicas) {
      if (this.deleted.has(replica.uid)) continue;
      this.deleted.add(replica.uid);
      this.deletions.push(deletion(replica, reason));
      count++;
    }
    return count;
  }

  create(hash: string, wanted: number): number {
    const revision = this.revisionOf(hash);
    const count = Math.min(wanted, MAX_CREATIONS_PER_SYNC - this.creations.length);
    if (!revision || count <= 0) return 0;
    const d = this.deployment;
    const priority = podSpecOf(revision.template)['priority'];
    for (let i = 0; i < count; i++) {
      this.creations.push({
        uid: replicaUid(d, d.replicasCreated + this.creations.length),
        data: {
          namespace: d.namespace,
          deployment: d.name,
          revision: revision.revision,
          templateHash: hash,
          template: revision.template as Record<string, unknown>,
          priority: typeof priority === 'number' && Number.isInteger(priority) ? priority : 0,
        },
      });
    }
    return count;
  }

  note(message: string): void {
    this.notes.push(message);
  }
}

function groupByHash(replicas: readonly ReplicaState[], deployment: DeploymentState): ReplicaGroup[] {
  const groups = new Map<string, ReplicaState[]>();
  for (const replica of replicas) {
    let list = groups.get(replica.templateHash);
    if (!list) groups.set(replica.templateHash, (list = []));
    list.push(replica);
  }
  return [...groups]
    .map(([hash, list]) => ({
      hash,
      // Oldest ReplicaSet first, as Kubernetes scales old ones down by creation time.
      age: revisionByHash(deployment, hash)?.firstPosition ?? Math.min(...list.map((r) => r.createdPosition)),
      replicas: list,
    }))
    .sort((a, b) => a.age - b.age || (a.hash < b.hash ? -1 : 1));
}

/**
 * The Kubernetes deployment controller as a pure function of the cluster state: revisions by template
 * hash, scaling, RollingUpdate (maxSurge/maxUnavailable, progress gated on availability), Recreate,
 * pause, drain evictions (replacements first), deletion, and the status with its conditions.
 */
export class DeploymentController {
  plan(state: ClusterState, key: string, now: number): DeploymentPlan {
    const deployment = state.deployments.get(key);
    const all = replicasOf(state, key);
    const orphans = all.filter((r) => !r.deletionRequested && (!deployment || r.ownerIncarnation !== deployment.incarnation));
    if (!deployment) {
      return { key, expectedVersion: -1, deploymentEvents: [], creations: [], deletions: orphans.map((r) => deletion(r, DeletionReason.Orphaned)), notes: [] };
    }
    const owned = all.filter((r) => r.ownerIncarnation === deployment.incarnation);
    const active = owned.filter((r) => !r.deletionRequested);
    const events: NewEvent[] = [];

    const hash = deployment.templateHash;
    const existing = revisionByHash(deployment, hash);
    let newRevision = existing?.revision;
    let newReplicaSet: 'created' | 'found' | undefined;
    if (!deployment.deleted && !deployment.paused) {
      const latest = latestRevisionNumber(deployment);
      if (!existing || existing.revision !== latest) {
        newRevision = latest + 1;
        newReplicaSet = existing ? 'found' : 'created';
        events.push({ type: 'DeploymentRevisionCreated', data: { revision: newRevision, templateHash: hash, template: deployment.spec.template } });
      }
    }
    const revisionOf = (h: string) => {
      if (h === hash) return newRevision === undefined ? undefined : { revision: newRevision, template: deployment.spec.template };
      const record = revisionByHash(deployment, h);
      return record ? { revision: record.revision, template: record.template } : undefined;
    };
    const draft = new SyncDraft(deployment, revisionOf);
    draft.remove(orphans, DeletionReason.Orphaned);

    if (deployment.deleted) {
      draft.remove(active, DeletionReason.DeploymentDeleted);
      return { key, expectedVersion: deployment.version, deploymentEvents: [], creations: [], deletions: draft.deletions, notes: draft.notes };
    }

    const draining = (r: ReplicaState) => r.node !== undefined && state.nodes.get(r.node)?.drainRequested === true;
    // Replicas on draining nodes are leaving: sizing leaves them out so their replacements come first.
    const sizing = active.filter((r) => !draining(r));
    const rsName = (h: string) => `${deployment.name}-${h}`;
    const minReady = deployment.spec.minReadySeconds;
    const available = (r: ReplicaState) => isReplicaAvailable(r, minReady, now);

    if (deployment.paused) this.scalePaused(draft, sizing, hash, now);
    else if (deployment.spec.strategy.type === 'Recreate') this.recreate(draft, owned, sizing, hash, rsName);
    else this.rollingUpdate(draft, sizing, hash, available, rsName);
    this.evictFromDrainingNodes(draft, active.filter(draining), active, available);

    const projected = active.filter((r) => !draft.isDeleted(r));
    const counts: ReplicaCounts = {
      replicas: projected.length + draft.creations.length,
      updated: projected.filter((r) => r.templateHash === hash).length + draft.creations.filter((c) => c.data.templateHash === hash).length,
      ready: projected.filter((r) => r.ready).length,
      available: projected.filter(available).length,
    };
    const status = nextStatus(deployment, counts, { now, replicaSetName: rsName(hash), newReplicaSet });
    if (!sameStatus(deployment.status, status)) events.push({ type: 'DeploymentStatusChanged', data: { status } });

    return {
      key,
      expectedVersion: deployment.version,
      deploymentEvents: events,
      creations: draft.creations,
      deletions: draft.deletions,
      requeueAt: this.requeueAt(deployment, projected, status, now),
      notes: draft.notes,
    };
  }

  /** rolloutRolling: scale the new set up within maxSurge; else scale old sets down within maxUnavailable. */
  private rollingUpdate(
    draft: SyncDraft,
    sizing: readonly ReplicaState[],
    hash: string,
    available: (r: ReplicaState) => boolean,
    rsName: (h: string) => string,
  ): void {
    const spec = draft.deployment.spec;
    const desired = spec.replicas;
    const { maxSurge, maxUnavailable } = fencepostsOf(spec);
    const current = sizing.filter((r) => r.templateHash === hash);
    const total = sizing.length;

    if (current.length > desired) {
      draft.remove(pickForDeletion(current, current.length - desired), DeletionReason.ScaledDown);
      draft.note(`Scaled down replica set ${rsName(hash)} from ${current.length} to ${desired}`);
      return;
    }
    if (current.length < desired) {
      const room = desired + maxSurge - total;
      const created = draft.create(hash, Math.min(room, desired - current.length));
      if (created > 0) {
        draft.note(`Scaled up replica set ${rsName(hash)} from ${current.length} to ${current.length + created}`);
        return;
      }
    }

    const old = sizing.filter((r) => r.templateHash !== hash);
    if (old.length === 0) return;
    const minAvailable = desired - maxUnavailable;
    const newUnavailable = current.filter((r) => !available(r)).length;
    const maxScaledDown = total - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return;

    const groups = groupByHash(old, draft.deployment);
    // cleanupUnhealthyReplicas: old replicas that are not available go first, within maxScaledDown.
    let budget = maxScaledDown;
    for (const group of groups) {
      if (budget <= 0) break;
      const unhealthy = group.replicas.filter((r) => !available(r)).sort(compareForDeletion).slice(0, budget);
      const removed = draft.remove(unhealthy, DeletionReason.ScaledDown);
      if (removed > 0) draft.note(`Scaled down replica set ${rsName(group.hash)} from ${group.replicas.length} to ${group.replicas.length - removed}`);
      budget -= removed;
    }
    // scaleDownOldReplicaSetsForRollingUpdate: then available ones, keeping minAvailable.
    const availableCount = sizing.filter((r) => available(r) && !draft.isDeleted(r)).length;
    let scaleDown = availableCount - minAvailable;
    for (const group of groups) {
      if (scaleDown <= 0) break;
      const remaining = group.replicas.filter((r) => !draft.isDeleted(r));
      const removed = draft.remove(pickForDeletion(remaining, Math.min(scaleDown, remaining.length)), DeletionReason.ScaledDown);
      if (removed > 0) draft.note(`Scaled down replica set ${rsName(group.hash)} from ${remaining.length} to ${remaining.length - removed}`);
      scaleDown -= removed;
    }
  }

  /** rolloutRecreate: every old replica goes, and the new set starts only when none of them runs any more. */
  private recreate(draft: SyncDraft, owned: readonly ReplicaState[], sizing: readonly ReplicaState[], hash: string, rsName: (h: string) => string): void {
    const desired = draft.deployment.spec.replicas;
    const oldActive = sizing.filter((r) => r.templateHash !== hash);
    if (oldActive.length > 0) {
      for (const group of groupByHash(oldActive, draft.deployment)) {
        draft.remove(group.replicas, DeletionReason.ScaledDown);
        draft.note(`Scaled down replica set ${rsName(group.hash)} from ${group.replicas.length} to 0`);
      }
      return;
    }
    const oldRunning = owned.some((r) => r.templateHash !== hash && r.node !== undefined && !r.stopped);
    if (oldRunning) return;
    const current = sizing.filter((r) => r.templateHash === hash);
    if (current.length < desired) {
      const created = draft.create(hash, desired - current.length);
      if (created > 0) draft.note(`Scaled up replica set ${rsName(hash)} from ${current.length} to ${current.length + created}`);
    } else if (current.length > desired) {
      draft.remove(pickForDeletion(current, current.length - desired), DeletionReason.ScaledDown);
      draft.note(`Scaled down replica set ${rsName(hash)} from ${current.length} to ${desired}`);
    }
  }

  /**
   * A paused deployment only scales (Kubernetes' sync/scale): one active set takes the whole count;
   * several share the change in proportion to their size. No new revision starts.
   */
  private scalePaused(draft: SyncDraft, sizing: readonly ReplicaState[], hash: string, now: number): void {
    const d = draft.deployment;
    const desired = d.spec.replicas;
    const groups = groupByHash(sizing, d);
    if (groups.length <= 1) {
      const target = groups[0]?.hash ?? (revisionByHash(d, hash) ? hash : [...d.revisions].sort((a, b) => b.revision - a.revision)[0]?.templateHash);
      if (target === undefined) return;
      const current = groups[0]?.replicas ?? [];
      if (current.length < desired) draft.create(target, desired - current.length);
      else if (current.length > desired) draft.remove(pickForDeletion(current, current.length - desired), DeletionReason.ScaledDown);
      return;
    }
    const newGroup = groups.find((g) => g.hash === hash);
    if (newGroup && newGroup.replicas.length === desired && newGroup.replicas.every((r) => isReplicaAvailable(r, d.spec.minReadySeconds, now))) {
      for (const group of groups) if (group !== newGroup) draft.remove(group.replicas, DeletionReason.ScaledDown);
      return;
    }
    const total = sizing.length;
    const allowed = desired === 0 ? 0 : desired + fencepostsOf(d.spec).maxSurge;
    const toAdd = allowed - total;
    if (toAdd === 0) return;
    // Bigger sets first; newer first when growing, older first when shrinking (Kubernetes' order).
    const ordered = [...groups].sort((a, b) => b.replicas.length - a.replicas.length || (toAdd > 0 ? b.age - a.age : a.age - b.age));
    const magnitude = Math.abs(toAdd);
    const shares = ordered.map((group) => Math.floor((magnitude * group.replicas.length) / total));
    let left = magnitude - shares.reduce((sum, share) => sum + share, 0);
    for (let i = 0; i < ordered.length && left > 0; i++) {
      // Growing: the leftover goes to the first set; shrinking: to the first sets that still have replicas.
      const step = toAdd > 0 ? left : Math.min(left, ordered[i].replicas.length - shares[i]);
      shares[i] += step;
      left -= step;
    }
    ordered.forEach((group, i) => {
      if (toAdd > 0) draft.create(group.hash, shares[i]);
      else draft.remove(pickForDeletion(group.replicas, shares[i]), DeletionReason.ScaledDown);
    });
  }

  /** Drain: evict replicas of draining nodes while availability stays at or above desired - maxUnavailable. */
  private evictFromDrainingNodes(
    draft: SyncDraft,
    onDraining: readonly ReplicaState[],
    active: readonly ReplicaState[],
    available: (r: ReplicaState) => boolean,
  ): void {
    if (onDraining.length === 0) return;
    const spec = draft.deployment.spec;
    const minAvailable = spec.replicas - maxUnavailableOf(spec);
    let budget = active.filter((r) => available(r) && !draft.isDeleted(r)).length - minAvailable;
    for (const replica of [...onDraining].sort(compareForDeletion)) {
      if (draft.isDeleted(replica)) continue;
      if (!available(replica)) draft.remove([replica], DeletionReason.Drained);
      else if (budget > 0) {
        draft.remove([replica], DeletionReason.Drained);
        budget--;
      }
    }
  }

  private requeueAt(deployment: DeploymentState, projected: readonly ReplicaState[], status: DeploymentStatusView, now: number): number | undefined {
    let at = deadlineAt(deployment, status);
    for (const replica of projected) {
      const when = availableAt(replica, deployment.spec.minReadySeconds);
      if (when !== undefined && when > now && (at === undefined || when < at)) at = when;
    }
    return at;
  }
}
