import { ReplicaPhases } from './replica-phases';

describe('ReplicaPhases', () => {
  const apply = (phases: ReplicaPhases, uid: string, ...types: string[]) => types.map((type) => phases.apply({ streamId: `replica:${uid}`, type }));

  it('follows a replica through its life and forgets it when deleted', () => {
    const phases = new ReplicaPhases();
    apply(phases, 'a', 'ReplicaCreated');
    expect(phases.phaseOf('replica:a')).toBe('Pending');
    apply(phases, 'a', 'ReplicaScheduled', 'ReplicaStarted');
    expect(phases.phaseOf('replica:a')).toBe('Running');
    apply(phases, 'a', 'ReplicaReady');
    apply(phases, 'b', 'ReplicaCreated', 'ReplicaScheduled');
    apply(phases, 'c', 'ReplicaCreated', 'ReplicaScheduled', 'ReplicaStarted', 'ReplicaFailed');
    expect(phases.counts()).toMatchObject({ Ready: 1, Scheduled: 1, Failed: 1, Pending: 0 });
    apply(phases, 'a', 'ReplicaDeletionRequested', 'ReplicaNotReady');
    expect(phases.phaseOf('replica:a')).toBe('Terminating');
    apply(phases, 'a', 'ReplicaStopped', 'ReplicaDeleted');
    expect(phases.phaseOf('replica:a')).toBeUndefined();
    expect(phases.counts().Terminating).toBe(0);
  });

  it('counts a start after an exit as a restart, and only that', () => {
    const phases = new ReplicaPhases();
    const results = apply(phases, 'r', 'ReplicaCreated', 'ReplicaScheduled', 'ReplicaStarted', 'ReplicaReady', 'ReplicaExited', 'ReplicaStarted', 'ReplicaReady', 'ReplicaExited', 'ReplicaNotReady', 'ReplicaStarted', 'ReplicaStarted');
    expect(results.map((r) => r.restarted)).toEqual([false, false, false, false, false, true, false, false, false, true, false]);
  });

  it('ignores events of other streams', () => {
    const phases = new ReplicaPhases();
    phases.apply({ streamId: 'deployment:default/web', type: 'ReplicaCreated' });
    expect(Object.values(phases.counts()).reduce((a, b) => a + b, 0)).toBe(0);
  });
});
