import type { DesiredReplica } from '@berth/contracts';
import type { ObservedContainer } from './observed-containers';
import { sortNewestFirst } from './observed-containers';
import { shouldRestart } from './restart-policy';

/** What the planner needs to know about a replica beyond its containers. */
export interface ReplicaProgress {
  /** An operation for this replica is in flight: plan nothing for it now. */
  busy: boolean;
  /** Highest container attempt ever used for it (-1: none), so a new container never reuses a name. */
  lastAttempt: number;
  /** Restart or retry backoff: no new container before this time. */
  nextStartAt: number;
  /** Ran to completion under its restart policy: it gets no new container. */
  terminated: boolean;
}

export interface ReconcileInput {
  now: number;
  /** The first full desired set has arrived; before that nothing is removed (adoption). */
  desiredKnown: boolean;
  desired: ReadonlyMap<string, Pick<DesiredReplica, 'restartPolicy'>>;
  containers: Iterable<ObservedContainer>;
  replicas: ReadonlyMap<string, ReplicaProgress>;
  /** Replicas the control plane is deleting and whose stop this agent has not reported yet (it may never have known them). */
  terminating?: Iterable<string>;
}

export type ReconcileAction =
  /** A desired replica without a live container gets one. */
  | { type: 'create'; replicaUid: string; attempt: number }
  /** A running container not yet reported started nor probed (new or adopted). */
  | { type: 'track'; replicaUid: string; containerId: string }
  /** Report an exit and decide about the restart. */
  | { type: 'handleExit'; replicaUid: string; containerId: string }
  /** Extra containers of a desired replica (duplicates, superseded attempts, never started): stop and remove quietly. */
  | { type: 'prune'; replicaUid: string; containerIds: string[] }
  /** A replica no longer desired: stop and remove its containers (if any), report stopped, forget it. */
  | { type: 'terminate'; replicaUid: string; containerIds: string[] };

export interface ReconcilePlan {
  actions: ReconcileAction[];
  /** Earliest backoff expiry: plan again then. */
  wakeAt?: number;
}

const LIVE = new Set(['running', 'restarting', 'paused']);

/**
 * The level-triggered heart of the agent: desired replicas against observed containers, to the
 * actions that make them match. Pure: same input, same plan.
 */
export function planReconcile(input: ReconcileInput): ReconcilePlan {
  const byReplica = new Map<string, ObservedContainer[]>();
  for (const container of input.containers) {
    if (container.status === 'removing') continue;
    const list = byReplica.get(container.replicaUid);
    if (list) list.push(container);
    else byReplica.set(container.replicaUid, [container]);
  }
  const uids = new Set([...input.desired.keys(), ...byReplica.keys(), ...input.replicas.keys(), ...(input.terminating ?? [])]);
  const actions: ReconcileAction[] = [];
  let wakeAt: number | undefined;

  for (const uid of uids) {
    const progress = input.replicas.get(uid);
    if (progress?.busy) continue;
    const containers = sortNewestFirst(byReplica.get(uid) ?? []);
    const desired = input.desired.get(uid);

    if (!desired) {
      if (input.desiredKnown) actions.push({ type: 'terminate', replicaUid: uid, containerIds: containers.map((c) => c.id) });
      continue;
    }

    const keep = containers.find((c) => LIVE.has(c.status));
    if (keep) {
      if (!keep.tracked) actions.push({ type: 'track', replicaUid: uid, containerId: keep.id });
      const extra = containers.filter((c) => c !== keep);
      if (extra.length) actions.push({ type: 'prune', replicaUid: uid, containerIds: extra.map((c) => c.id) });
      continue;
    }

    const newest = containers[0];
    if (newest && newest.status === 'created') {
      // Created but never started: left by a crash mid-create. Clear it, then start afresh.
      actions.push({ type: 'prune', replicaUid: uid, containerIds: containers.map((c) => c.id) });
      continue;
    }
    const unhandled = newest && !newest.exitHandled;
    if (unhandled) actions.push({ type: 'handleExit', replicaUid: uid, containerId: newest.id });
    // The last exited container stays (its exit is the replica's last state); older ones go.
    if (containers.length > 1) actions.push({ type: 'prune', replicaUid: uid, containerIds: containers.slice(1).map((c) => c.id) });
    if (unhandled || containers.length > 1) continue;
    if (progress?.terminated) continue;
    if (newest && !shouldRestart(desired.restartPolicy, newest.exit)) continue;

    const nextStartAt = progress?.nextStartAt ?? 0;
    if (input.now < nextStartAt) {
      wakeAt = Math.min(wakeAt ?? Infinity, nextStartAt);
      continue;
    }
    const attempt = Math.max(progress?.lastAttempt ?? -1, newest?.attempt ?? -1) + 1;
    actions.push({ type: 'create', replicaUid: uid, attempt });
  }
  return { actions, wakeAt };
}
