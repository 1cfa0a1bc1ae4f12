import { categoryOf } from '@berth/contracts';

export const replicaPhases = ['Pending', 'Scheduled', 'Running', 'Ready', 'Terminating', 'Exited', 'Failed', 'Stopped'] as const;
export type ReplicaPhase = (typeof replicaPhases)[number];

const phaseAfter: Partial<Record<string, ReplicaPhase>> = {
  ReplicaCreated: 'Pending',
  ReplicaUnschedulable: 'Pending',
  ReplicaScheduled: 'Scheduled',
  ReplicaStarted: 'Running',
  ReplicaNotReady: 'Running',
  ReplicaReady: 'Ready',
  ReplicaDeletionRequested: 'Terminating',
  ReplicaExited: 'Exited',
  ReplicaFailed: 'Failed',
  ReplicaStopped: 'Stopped',
};

/** Only these end a termination; a probe result of a replica being deleted does not revive it. */
const endsTermination = new Set(['ReplicaExited', 'ReplicaFailed', 'ReplicaStopped']);

/** Phase of every live replica, folded from the replica events in log order. */
export class ReplicaPhases {
  private readonly replicas = new Map<string, { phase: ReplicaPhase; exited: boolean }>();

  /** Applies one event; `restarted` when it is a start that follows an exit of the same replica. */
  apply(event: { streamId: string; type: string }): { restarted: boolean } {
    if (categoryOf(event.streamId) !== 'replica') return { restarted: false };
    if (event.type === 'ReplicaDeleted') {
      this.replicas.delete(event.streamId);
      return { restarted: false };
    }
    const phase = phaseAfter[event.type];
    if (!phase) return { restarted: false };
    const current = this.replicas.get(event.streamId);
    if (current?.phase === 'Terminating' && !endsTermination.has(event.type)) return { restarted: false };
    const restarted = event.type === 'ReplicaStarted' && current?.exited === true;
    this.replicas.set(event.streamId, {
      phase,
      exited: event.type === 'ReplicaExited' || (current?.exited === true && event.type !== 'ReplicaStarted'),
    });
    return { restarted };
  }

  counts(): Record<ReplicaPhase, number> {
    const counts = Object.fromEntries(replicaPhases.map((p) => [p, 0])) as Record<ReplicaPhase, number>;
    for (const { phase } of this.replicas.values()) counts[phase]++;
    return counts;
  }

  phaseOf(streamId: string): ReplicaPhase | undefined {
    return this.replicas.get(streamId)?.phase;
  }
}
