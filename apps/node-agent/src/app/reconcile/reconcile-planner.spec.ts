import fc from 'fast-check';
import type { ContainerStatus } from '@berth/docker-runtime';
import type { ObservedContainer } from './observed-containers';
import { planReconcile, type ReconcileAction, type ReconcileInput, type ReplicaProgress } from './reconcile-planner';
import type { RestartPolicy } from './restart-policy';

let nextId = 0;
const container = (replicaUid: string, status: ContainerStatus, more: Partial<ObservedContainer> = {}): ObservedContainer => ({
  id: `c${nextId++}`,
  replicaUid,
  attempt: 0,
  status,
  createdAt: 1_000,
  exitHandled: false,
  tracked: status === 'running',
  updatedAt: 1_000,
  ...(status === 'exited' ? { exit: { reason: 'Error', exitCode: 1, oomKilled: false } } : {}),
  ...more,
});
const progress = (more: Partial<ReplicaProgress> = {}): ReplicaProgress => ({ busy: false, lastAttempt: -1, nextStartAt: 0, terminated: false, ...more });

const plan = (input: Partial<ReconcileInput> & { desired?: ReconcileInput['desired'] }) =>
  planReconcile({ now: 10_000, desiredKnown: true, desired: new Map(), containers: [], replicas: new Map(), ...input });
const desired = (...uids: readonly string[]) => new Map(uids.map((uid) => [uid, { restartPolicy: 'Always' as RestartPolicy }]));

describe('planReconcile', () => {
  it('confirms the stop of a terminating replica it never knew (no container, no record), and of one it runs', () => {
    const running = container('b', 'running');
    expect(plan({ terminating: ['a', 'b'], containers: [running] }).actions.sort((x, y) => x.replicaUid.localeCompare(y.replicaUid))).toEqual([
      { type: 'terminate', replicaUid: 'a', containerIds: [] },
      { type: 'terminate', replicaUid: 'b', containerIds: [running.id] },
    ]);
    // Before the first desired set nothing is terminated (adoption).
    expect(plan({ desiredKnown: false, terminating: ['a'] }).actions).toEqual([]);
  });

  it('creates attempt 0 for a desired replica without containers', () => {
    expect(plan({ desired: desired('a') }).actions).toEqual([{ type: 'create', replicaUid: 'a', attempt: 0 }]);
  });

  it('leaves a tracked running container alone and tracks an untracked one', () => {
    const running = container('a', 'running');
    expect(plan({ desired: desired('a'), containers: [running] }).actions).toEqual([]);
    const adopted = container('a', 'running', { tracked: false });
    expect(plan({ desired: desired('a'), containers: [adopted] }).actions).toEqual([{ type: 'track', replicaUid: 'a', containerId: adopted.id }]);
  });

  it('keeps the newest running container of a replica and prunes the rest', () => {
    const older = container('a', 'running', { attempt: 1 });
    const newer = container('a', 'running', { attempt: 2 });
    const dead = container('a', 'exited', { attempt: 0, exitHandled: true });
    expect(plan({ desired: desired('a'), containers: [older, dead, newer] }).actions).toEqual([{ type: 'prune', replicaUid: 'a', containerIds: [older.id, dead.id] }]);
  });

  it('handles an exit first, then restarts with the next attempt once the backoff has passed', () => {
    const exited = container('a', 'exited', { attempt: 3 });
    expect(plan({ desired: desired('a'), containers: [exited] }).actions).toEqual([{ type: 'handleExit', replicaUid: 'a', containerId: exited.id }]);
    exited.exitHandled = true;
    const waiting = plan({ desired: desired('a'), containers: [exited], replicas: new Map([['a', progress({ lastAttempt: 3, nextStartAt: 12_000 })]]) });
    expect(waiting).toEqual({ actions: [], wakeAt: 12_000 });
    const due = plan({ now: 12_000, desired: desired('a'), containers: [exited], replicas: new Map([['a', progress({ lastAttempt: 3, nextStartAt: 12_000 })]]) });
    expect(due.actions).toEqual([{ type: 'create', replicaUid: 'a', attempt: 4 }]);
  });

  it.each([
    ['Always', 0, true],
    ['Always', 1, true],
    ['OnFailure', 0, false],
    ['OnFailure', 2, true],
    ['Never', 1, false],
  ] as [RestartPolicy, number, boolean][])('restart policy %s after exit %d restarts: %s', (policy, exitCode, restarts) => {
    const exited = container('a', 'exited', { exitHandled: true, exit: { reason: exitCode === 0 ? 'Completed' : 'Error', exitCode, oomKilled: false } });
    const { actions } = plan({ desired: new Map([['a', { restartPolicy: policy }]]), containers: [exited] });
    expect(actions.some((a) => a.type === 'create')).toBe(restarts);
  });

  it('does nothing for a busy replica, nor for a terminated one', () => {
    expect(plan({ desired: desired('a'), replicas: new Map([['a', progress({ busy: true })]]) }).actions).toEqual([]);
    const done = container('a', 'exited', { exitHandled: true });
    expect(plan({ desired: desired('a'), containers: [done], replicas: new Map([['a', progress({ terminated: true })]]) }).actions).toEqual([]);
  });

  it('removes nothing before the first desired set, then terminates what is not desired', () => {
    const orphan = container('gone', 'running');
    const record = new Map([['old', progress()]]);
    expect(plan({ desiredKnown: false, containers: [orphan], replicas: record }).actions).toEqual([]);
    expect(plan({ containers: [orphan], replicas: record }).actions).toEqual([
      { type: 'terminate', replicaUid: 'gone', containerIds: [orphan.id] },
      { type: 'terminate', replicaUid: 'old', containerIds: [] },
    ]);
  });

  it('clears a created-but-never-started container before creating a new one', () => {
    const stale = container('a', 'created', { attempt: 2 });
    expect(plan({ desired: desired('a'), containers: [stale] }).actions).toEqual([{ type: 'prune', replicaUid: 'a', containerIds: [stale.id] }]);
    expect(plan({ desired: desired('a'), replicas: new Map([['a', progress({ lastAttempt: 2 })]]) }).actions).toEqual([{ type: 'create', replicaUid: 'a', attempt: 3 }]);
  });

  describe('converges (property)', () => {
    const statuses: ContainerStatus[] = ['running', 'exited', 'created', 'paused', 'removing'];
    const world = fc.record({
      desired: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 4 }),
      containers: fc.array(fc.record({ replica: fc.constantFrom('a', 'b', 'c', 'd', 'x'), status: fc.constantFrom(...statuses), attempt: fc.nat(5), handled: fc.boolean() }), {
        maxLength: 10,
      }),
    });

    it('never plans two creates or a create next to a live container, and reaches one live container per desired replica', () => {
      fc.assert(
        fc.property(world, ({ desired: wanted, containers: seed }) => {
          let containers = seed.map((s) => container(s.replica, s.status, { attempt: s.attempt, exitHandled: s.handled, tracked: s.handled }));
          const replicas = new Map<string, ReplicaProgress>();
          for (let round = 0; round < 10; round++) {
            const { actions } = plan({ desired: desired(...wanted), containers, replicas });
            checkPlan(actions, containers, wanted);
            if (!actions.length) break;
            containers = apply(actions, containers, replicas);
          }
          for (const uid of wanted) {
            const live = containers.filter((c) => c.replicaUid === uid && c.status !== 'removing');
            expect(live).toHaveLength(1);
            expect(['running', 'paused']).toContain(live[0].status);
          }
          expect(containers.filter((c) => !(wanted as string[]).includes(c.replicaUid) && c.status !== 'removing')).toEqual([]);
        }),
      );
    });

    function checkPlan(actions: ReconcileAction[], containers: ObservedContainer[], wanted: string[]): void {
      const creates = actions.filter((a) => a.type === 'create').map((a) => a.replicaUid);
      expect(new Set(creates).size).toBe(creates.length);
      for (const uid of creates) {
        expect(wanted).toContain(uid);
        expect(containers.some((c) => c.replicaUid === uid && ['running', 'paused'].includes(c.status))).toBe(false);
      }
    }

    function apply(actions: ReconcileAction[], containers: ObservedContainer[], replicas: Map<string, ReplicaProgress>): ObservedContainer[] {
      let next = [...containers];
      for (const action of actions) {
        const record = replicas.get(action.replicaUid) ?? progress();
        replicas.set(action.replicaUid, record);
        if (action.type === 'create') {
          next.push(container(action.replicaUid, 'running', { attempt: action.attempt }));
          record.lastAttempt = action.attempt;
        } else if (action.type === 'track') {
          for (const c of next) if (c.id === action.containerId) c.tracked = true;
        } else if (action.type === 'handleExit') {
          for (const c of next) if (c.id === action.containerId) c.exitHandled = true;
        } else {
          next = next.filter((c) => !action.containerIds.includes(c.id));
          if (action.type === 'terminate') replicas.delete(action.replicaUid);
        }
      }
      return next;
    }
  });
});
