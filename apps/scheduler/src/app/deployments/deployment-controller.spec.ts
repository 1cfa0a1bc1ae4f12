import fc from 'fast-check';
import { findCondition, latestRevisionNumber, ReplicaState } from '@berth/cluster-state';
import { PlainCluster } from '../testing/cluster.fixture';
import { isEmptyPlan, MAX_CREATIONS_PER_SYNC } from './deployment-controller';
import { compareForDeletion } from './replica-ranking';
import { resolveFenceposts } from './rollout-math';

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

const KEY = 'default/web';

function image(r: ReplicaState): string {
  return ((r.template['spec'] as { containers: { image: string }[] }).containers[0]).image;
}

function status(c: PlainCluster) {
  return c.state.deployments.get(KEY)?.status;
}

describe('deployment controller: creation and scaling', () => {
  it('creates a revision, the replicas and a status, then has nothing more to do', () => {
    const c = new PlainCluster().deployment('web', { replicas: 3 });
    const plan = c.sync('web');
    expect(plan.deploymentEvents.map((e) => e.type)).toEqual(['DeploymentRevisionCreated', 'DeploymentStatusChanged']);
    expect(plan.creations).toHaveLength(3);
    expect(new Set(plan.creations.map((x) => x.uid)).size).toBe(3);
    expect(plan.creations[0].data).toMatchObject({ namespace: 'default', deployment: 'web', revision: 1, priority: 0 });
    expect(status(c)).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 3 });
    expect(findCondition(status(c)?.conditions, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetCreated' });
    expect(findCondition(status(c)?.conditions, 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    // Status is appended only when it changes.
    expect(isEmptyPlan(c.controller.plan(c.state, KEY, c.now))).toBe(true);
    c.settle();
    c.sync('web');
    expect(status(c)).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 0 });
    expect(findCondition(status(c)?.conditions, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(findCondition(status(c)?.conditions, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(isEmptyPlan(c.controller.plan(c.state, KEY, c.now + 60_000))).toBe(true);
  });

  it('derives replica uids from the deployment, so two controllers on the same state create the same replicas', () => {
    const a = new PlainCluster().deployment('web', { replicas: 2 });
    const b = new PlainCluster().deployment('web', { replicas: 2 });
    expect(a.controller.plan(a.state, KEY, a.now).creations.map((x) => x.uid)).toEqual(b.controller.plan(b.state, KEY, b.now).creations.map((x) => x.uid));
  });

  it('scales 3 -> 10 -> 2, removing pending first, then not ready, then the newest', () => {
    const c = new PlainCluster().deployment('web', { replicas: 3 });
    c.sync('web');
    c.settle();
    c.sync('web');
    c.push('deployment:default/web', 'DeploymentScaled', { replicas: 10 });
    expect(c.sync('web').creations).toHaveLength(7);
    expect(c.active('web')).toHaveLength(10);
    const fresh = c.active('web').slice(3);
    // Of the 7 new ones: 2 ready, 2 started (not ready), 1 bound, 2 still pending.
    c.schedule(fresh[0].uid, 'n1').start(fresh[0].uid).ready(fresh[0].uid);
    c.advance(10).schedule(fresh[1].uid, 'n1').start(fresh[1].uid).ready(fresh[1].uid);
    c.schedule(fresh[2].uid, 'n1').start(fresh[2].uid);
    c.schedule(fresh[3].uid, 'n1').start(fresh[3].uid);
    c.schedule(fresh[4].uid, 'n1');
    c.push('deployment:default/web', 'DeploymentScaled', { replicas: 2 });
    const plan = c.sync('web');
    expect(plan.deletions).toHaveLength(8);
    const order = plan.deletions.map((d) => d.uid);
    expect(order.slice(0, 2).sort()).toEqual([fresh[5].uid, fresh[6].uid].sort());
    expect(order[2]).toBe(fresh[4].uid);
    expect(order.slice(3, 5).sort()).toEqual([fresh[2].uid, fresh[3].uid].sort());
    // Then ready ones, the most recently ready first.
    expect(order.slice(5, 7)).toEqual([fresh[1].uid, fresh[0].uid]);
    expect(plan.deletions.filter((d) => d.immediate).map((d) => d.uid).sort()).toEqual([fresh[5].uid, fresh[6].uid].sort());
    const kept = c.active('web');
    expect(kept).toHaveLength(2);
    expect(kept.every((r) => r.ready)).toBe(true);
  });

  it('replaces deleted replicas and deletion-requests everything on DeploymentDeleted', () => {
    const c = new PlainCluster().deployment('web', { replicas: 3 });
    c.sync('web');
    c.settle();
    c.sync('web');
    const victim = c.active('web')[1];
    c.push(`replica:${victim.uid}`, 'ReplicaDeletionRequested', { reason: 'test' }).reap(victim.uid);
    expect(c.sync('web').creations).toHaveLength(1);
    expect(c.active('web')).toHaveLength(3);
    c.push('deployment:default/web', 'DeploymentDeleted', {});
    const plan = c.sync('web');
    expect(plan.deletions).toHaveLength(3);
    expect(plan.deletions.every((d) => d.reason === 'DeploymentDeleted')).toBe(true);
    expect(plan.deletions.filter((d) => d.immediate)).toHaveLength(1);
    c.settle();
    expect(c.state.deployments.has(KEY)).toBe(false);
  });
});

/** Drives a rollout to completion, readying new replicas one at a time; checks the invariants after every step. */
function rollOut(c: PlainCluster, desired: number, maxSurge: number, maxUnavailable: number, minReady = 0): number {
  let steps = 0;
  for (; steps < 200; steps++) {
    c.sync('web');
    const active = c.active('web');
    expect(active.length).toBeLessThanOrEqual(desired + maxSurge);
    expect(c.available('web', minReady).length).toBeGreaterThanOrEqual(desired - maxUnavailable);
    const latest = must(c.state.deployments.get(KEY)).templateHash;
    if (active.length === desired && active.every((r) => r.templateHash === latest && r.ready)) break;
    // Terminating replicas go away, and one replica makes progress.
    for (const r of c.replicas('web')) if (r.deletionRequested) c.reap(r.uid);
    const next = c.active('web').find((r) => !r.ready);
    if (next) {
      if (next.node === undefined) c.schedule(next.uid, 'n1');
      c.start(next.uid).ready(next.uid);
    }
    c.advance(minReady * 1000 + 1);
  }
  return steps;
}

describe('deployment controller: rolling update', () => {
  function readyDeployment(options: Parameters<PlainCluster['deployment']>[1]): PlainCluster {
    const c = new PlainCluster().deployment('web', options);
    c.sync('web');
    c.settle();
    c.sync('web');
    return c;
  }

  it('with maxUnavailable 0 keeps every replica available and surges by one', () => {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    const c = readyDeployment({ replicas: 3, strategy });
    c.update('web', { replicas: 3, strategy, image: 'nginx:2.0' });
    const steps = rollOut(c, 3, 1, 0);
    expect(steps).toBeLessThan(200);
    expect(c.active('web').map(image)).toEqual(['nginx:2.0', 'nginx:2.0', 'nginx:2.0']);
    const d = must(c.state.deployments.get(KEY));
    expect(latestRevisionNumber(d)).toBe(2);
    c.sync('web');
    expect(findCondition(d.status?.conditions, 'Progressing')?.reason).toBeDefined();
    expect(must(c.state.deployments.get(KEY)).status).toMatchObject({ observedGeneration: 2, updatedReplicas: 3, availableReplicas: 3 });
  });

  it('with the 25%/25% defaults on 4 replicas stays within 5 replicas and 3 available', () => {
    const c = readyDeployment({ replicas: 4 });
    c.update('web', { replicas: 4, image: 'nginx:2.0' });
    expect(rollOut(c, 4, 1, 1)).toBeLessThan(200);
    expect(c.active('web').map(image)).toEqual(Array(4).fill('nginx:2.0'));
  });

  it('property: any surge/unavailable setting rolls out within its bounds and finishes', () => {
    const intOrPercent = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 100 }).map((n) => `${n}%`));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), intOrPercent, intOrPercent, fc.integer({ min: 0, max: 2 }), (desired, surge, unavailable, minReady) => {
        const isZero = (v: number | string) => v === 0 || v === '0%';
        fc.pre(!(isZero(surge) && isZero(unavailable)));
        const f = resolveFenceposts(surge, unavailable, desired);
        fc.pre(f.maxUnavailable <= desired);
        const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } };
        const c = readyDeployment({ replicas: desired, strategy, minReadySeconds: minReady, progressDeadlineSeconds: minReady + 600 });
        c.advance(minReady * 1000);
        c.sync('web');
        c.update('web', { replicas: desired, strategy, image: 'nginx:2.0', minReadySeconds: minReady, progressDeadlineSeconds: minReady + 600 });
        expect(rollOut(c, desired, f.maxSurge, f.maxUnavailable, minReady)).toBeLessThan(200);
        expect(c.active('web').every((r) => image(r) === 'nginx:2.0')).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('a broken image stalls without removing old replicas, times out, and rollback restores', () => {
    const c = readyDeployment({ replicas: 3, progressDeadlineSeconds: 30 });
    const original = c.active('web').map((r) => r.uid);
    c.update('web', { replicas: 3, image: 'broken:1', progressDeadlineSeconds: 30 });
    for (let i = 0; i < 5; i++) {
      c.sync('web');
      c.settle();
      c.advance(1000);
    }
    // 25% of 3: surge 1, unavailable 0: one new replica, never ready, and every old one kept.
    expect(c.active('web').filter((r) => image(r) === 'broken:1')).toHaveLength(1);
    expect(c.active('web').filter((r) => original.includes(r.uid))).toHaveLength(3);
    expect(findCondition(status(c)?.conditions, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetCreated' });
    const plan = c.controller.plan(c.state, KEY, c.now);
    expect(plan.requeueAt).toBeGreaterThan(c.now);
    c.advance(30_000);
    c.sync('web');
    expect(findCondition(status(c)?.conditions, 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    expect(c.active('web').filter((r) => original.includes(r.uid))).toHaveLength(3);

    c.push('deployment:default/web', 'DeploymentRolledBack', { toRevision: 1 });
    const rollback = c.sync('web');
    expect(rollback.deploymentEvents[0]).toMatchObject({ type: 'DeploymentRevisionCreated', data: { revision: 3 } });
    c.settle();
    c.sync('web');
    expect(c.active('web').map((r) => r.uid)).toEqual(original);
    expect(findCondition(status(c)?.conditions, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
  });

  it('minReadySeconds gates progress and asks to be woken when a replica becomes available', () => {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    const c = readyDeployment({ replicas: 2, strategy, minReadySeconds: 10 });
    c.advance(10_000);
    c.sync('web');
    c.update('web', { replicas: 2, strategy, image: 'nginx:2.0', minReadySeconds: 10 });
    c.sync('web');
    const fresh = must(c.active('web').find((r) => image(r) === 'nginx:2.0'));
    c.schedule(fresh.uid, 'n1').start(fresh.uid).ready(fresh.uid);
    const readyAt = c.now;
    const plan = c.sync('web');
    expect(plan.deletions).toEqual([]);
    expect(plan.requeueAt).toBe(readyAt + 10_000);
    c.advance(10_000);
    expect(c.sync('web').deletions).toHaveLength(1);
  });
});

describe('deployment controller: Recreate, pause, drain', () => {
  it('Recreate removes every old replica and starts new ones only when they are gone', () => {
    const c = new PlainCluster().deployment('web', { replicas: 3, strategy: { type: 'Recreate' } });
    c.sync('web');
    c.settle();
    c.sync('web');
    c.update('web', { replicas: 3, strategy: { type: 'Recreate' }, image: 'nginx:2.0' });
    const first = c.sync('web');
    expect(first.deletions).toHaveLength(3);
    expect(first.creations).toHaveLength(0);
    expect(c.sync('web').creations).toHaveLength(0);
    for (const r of c.replicas('web')) c.reap(r.uid);
    const second = c.sync('web');
    expect(second.creations).toHaveLength(3);
    expect(second.creations.every((x) => x.data.revision === 2)).toBe(true);
  });

  it('a paused deployment scales but does not roll out; resume rolls out', () => {
    const c = new PlainCluster().deployment('web', { replicas: 2 });
    c.sync('web');
    c.settle();
    c.sync('web');
    c.push('deployment:default/web', 'DeploymentPaused', {});
    c.update('web', { replicas: 2, image: 'nginx:2.0', paused: true });
    const paused = c.sync('web');
    expect(paused.deploymentEvents.map((e) => e.type)).toEqual(['DeploymentStatusChanged']);
    expect(findCondition(status(c)?.conditions, 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused' });
    c.push('deployment:default/web', 'DeploymentScaled', { replicas: 4 });
    const scaled = c.sync('web');
    expect(scaled.creations).toHaveLength(2);
    expect(scaled.creations.every((x) => x.data.revision === 1)).toBe(true);
    c.push('deployment:default/web', 'DeploymentResumed', {});
    const resumed = c.sync('web');
    expect(resumed.deploymentEvents[0]).toMatchObject({ type: 'DeploymentRevisionCreated', data: { revision: 2 } });
    expect(resumed.creations.length).toBeGreaterThan(0);
  });

  it('drain creates replacements first and evicts within maxUnavailable', () => {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    const c = new PlainCluster().node('n1').node('n2').deployment('web', { replicas: 2, strategy });
    c.sync('web');
    for (const r of c.active('web')) c.schedule(r.uid, 'n1').start(r.uid).ready(r.uid);
    c.sync('web');
    c.push('node:n1', 'NodeDrainRequested', {});
    const first = c.sync('web');
    expect(first.creations).toHaveLength(2);
    expect(first.deletions).toHaveLength(0);
    const replacements = first.creations.map((x) => x.uid);
    c.schedule(replacements[0], 'n2').start(replacements[0]).ready(replacements[0]);
    const second = c.sync('web');
    expect(second.deletions).toHaveLength(1);
    expect(second.deletions[0].reason).toBe('Drained');
    c.schedule(replacements[1], 'n2').start(replacements[1]).ready(replacements[1]);
    expect(c.sync('web').deletions).toHaveLength(1);
    expect(c.active('web').every((r) => r.node === 'n2')).toBe(true);
  });
});

describe('replica deletion order', () => {
  it('ranks unscheduled, unstarted, unready, then ready newest-ready first', () => {
    const c = new PlainCluster().deployment('web', { replicas: 5 });
    c.sync('web');
    const [a, b, d, e, f] = c.active('web').map((r) => r.uid);
    c.schedule(b, 'n1');
    c.schedule(d, 'n1').start(d);
    c.schedule(e, 'n1').start(e).ready(e);
    c.advance(1000).schedule(f, 'n1').start(f).ready(f);
    const order = [...c.active('web')].sort(compareForDeletion).map((r) => r.uid);
    expect(order).toEqual([a, b, d, f, e]);
  });
});

describe('deployment controller: large scale', () => {
  it('creates at most MAX_CREATIONS_PER_SYNC replicas per sync and keeps going', () => {
    const c = new PlainCluster().deployment('web', { replicas: 1200 });
    expect(c.sync('web').creations).toHaveLength(MAX_CREATIONS_PER_SYNC);
    expect(c.sync('web').creations).toHaveLength(MAX_CREATIONS_PER_SYNC);
    expect(c.sync('web').creations).toHaveLength(200);
    expect(c.active('web')).toHaveLength(1200);
    expect(new Set(c.active('web').map((r) => r.uid)).size).toBe(1200);
  });
});
