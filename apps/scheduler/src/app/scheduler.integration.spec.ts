import { Logger } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { activeReplicasOf, applyInPlace, ClusterState, emptyClusterState, findCondition, ReplicaState } from '@berth/cluster-state';
import { DesiredState, desiredStateSchema, parseMessage, Subjects } from '@berth/contracts';
import { createTestDatabase, TestDatabase, TestNatsServer } from '@berth/testing';
import { AlwaysHeldLease } from '@berth/event-store';
import {
  createDeployment,
  deploymentEvent,
  FakeAgents,
  foldLog,
  readLog,
  registerNode,
  requestDesired,
  startScheduler,
  uniquePrefix,
  updateDeployment,
  waitUntil,
} from './testing/scheduler.fixture';

jest.setTimeout(90_000);

const KEY = 'default/web';

function active(state: ClusterState, key = KEY): ReplicaState[] {
  const d = state.deployments.get(key);
  return d ? activeReplicasOf(state, d) : [];
}

function imageOf(r: ReplicaState): string {
  return (r.template['spec'] as { containers: { image: string }[] }).containers[0].image;
}

describe('scheduler against Postgres and NATS', () => {
  let natsServer: TestNatsServer;
  let db: TestDatabase;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(['error', 'warn']);
    natsServer = await TestNatsServer.start();
  });
  afterAll(async () => {
    await natsServer.dispose();
  });
  beforeEach(async () => {
    db = await createTestDatabase('sched');
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await db.cleanup();
  });

  async function scheduler(options: Parameters<typeof startScheduler>[2] = {}) {
    const s = await startScheduler(db, natsServer.url, options);
    cleanups.push(s.stop);
    return s;
  }

  async function agents(nodes: string[]): Promise<FakeAgents> {
    const a = new FakeAgents(db.store, nodes);
    await a.start(natsServer.url);
    cleanups.push(() => a.stop());
    return a;
  }

  async function nodes(count: number, options: Parameters<typeof registerNode>[2] = {}): Promise<string[]> {
    const prefix = uniquePrefix();
    const names = Array.from({ length: count }, (_, i) => `${prefix}-n${i + 1}`);
    for (const name of names) await registerNode(db.store, name, options);
    return names;
  }

  it('places a deployment across the nodes, answers desired-state requests and publishes updates', async () => {
    const names = await nodes(3);
    const { runtime, nats } = await scheduler();
    const updates = new Map<string, DesiredState[]>();
    for (const node of names) {
      updates.set(node, []);
      nats.subscribe(Subjects.nodeDesiredUpdate(node), { callback: (_e, msg) => updates.get(node)?.push(parseMessage(desiredStateSchema, msg.subject, msg.data)) });
    }
    await nats.flush();
    await createDeployment(db.store, 'web', { replicas: 3, requests: { cpu: '100m', memory: '64Mi' } });
    await waitUntil('3 replicas bound', () => active(runtime.state).filter((r) => r.node).length === 3);

    const log = await readLog(db.store);
    expect(log.filter((e) => e.type === 'ReplicaCreated')).toHaveLength(3);
    const scheduled = log.filter((e) => e.type === 'ReplicaScheduled');
    expect(scheduled).toHaveLength(3);
    expect(new Set(scheduled.map((e) => (e.data as { node: string }).node))).toEqual(new Set(names));
    expect(log.find((e) => e.type === 'DeploymentRevisionCreated')?.data).toMatchObject({ revision: 1 });
    expect(log.some((e) => e.type === 'DeploymentStatusChanged')).toBe(true);

    const uids = new Set<string>();
    for (const node of names) {
      const set = await requestDesired(nats, node);
      expect(set.node).toBe(node);
      expect(set.replicas).toHaveLength(1);
      expect(set.replicas[0]).toMatchObject({ namespace: 'default', deployment: 'web', containers: [{ image: 'nginx:1.0', ports: [{ containerPort: 80 }] }] });
      expect(set.position).toBeGreaterThanOrEqual(scheduled[scheduled.length - 1].globalPosition);
      uids.add(set.replicas[0].uid);
    }
    expect(uids.size).toBe(3);
    await waitUntil('an update per node', () => names.every((n) => (updates.get(n) ?? []).some((u) => u.replicas.length === 1)));

    // A change to one node's set is published to that node.
    const victim = [...uids][0];
    const node = runtime.state.replicas.get(victim)?.node as string;
    const before = updates.get(node)?.length ?? 0;
    await db.store.append(`replica:${victim}`, 'any', [{ type: 'ReplicaDeletionRequested', data: { reason: 'test' } }]);
    await waitUntil('update without the deleted replica', () => (updates.get(node) ?? []).slice(before).some((u) => !u.replicas.some((r) => r.uid === victim)));
    const reply = await nats.request(Subjects.nodeDesired(names[0]), JSON.stringify({ node: names[1], bootId: 'x' }));
    expect(JSON.parse(new TextDecoder().decode(reply.data))).toHaveProperty('error');
  });

  it('scales 3 -> 10 -> 2 with agents reporting', async () => {
    const names = await nodes(3);
    const { runtime } = await scheduler();
    const fake = await agents(names);
    await createDeployment(db.store, 'web', { replicas: 3 });
    await waitUntil('3 ready', () => active(runtime.state).filter((r) => r.ready).length === 3);
    await deploymentEvent(db.store, 'web', 'DeploymentScaled', { replicas: 10 });
    await waitUntil('10 ready', () => active(runtime.state).filter((r) => r.ready).length === 10);
    const perNode = names.map((n) => active(runtime.state).filter((r) => r.node === n).length);
    expect(Math.max(...perNode) - Math.min(...perNode)).toBeLessThanOrEqual(1);
    await deploymentEvent(db.store, 'web', 'DeploymentScaled', { replicas: 2 });
    await waitUntil('2 replicas left, the rest deleted', () => runtime.state.replicas.size === 2 && active(runtime.state).length === 2);
    await fake.idle();
    await waitUntil('status settled', () => runtime.state.deployments.get(KEY)?.status?.replicas === 2 && runtime.state.deployments.get(KEY)?.status?.availableReplicas === 2);
    const log = await readLog(db.store);
    expect(log.filter((e) => e.type === 'ReplicaCreated')).toHaveLength(10);
    expect(log.filter((e) => e.type === 'ReplicaDeleted')).toHaveLength(8);
  });

  it('rolls out with maxUnavailable 0 keeping 3 ready at every step; a broken image stalls and rollback restores', async () => {
    const names = await nodes(3);
    const { runtime } = await scheduler();
    await agents(names);
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    await createDeployment(db.store, 'web', { replicas: 3, strategy, progressDeadlineSeconds: 2 });
    await waitUntil('3 ready', () => active(runtime.state).filter((r) => r.ready).length === 3);
    const readyFrom = runtime.state.position;

    await updateDeployment(db.store, 'web', { replicas: 3, strategy, progressDeadlineSeconds: 2, image: 'nginx:2.0' });
    await waitUntil('rolled out', () => {
      const replicas = active(runtime.state);
      return replicas.length === 3 && replicas.every((r) => r.ready && imageOf(r) === 'nginx:2.0') && runtime.state.replicas.size === 3;
    });
    // Replay the log event by event: from the first moment 3 were ready, never fewer than 3 ready.
    const replay = emptyClusterState();
    let minReady = Infinity;
    for (const e of await readLog(db.store)) {
      applyInPlace(replay, e);
      if (e.globalPosition >= readyFrom) minReady = Math.min(minReady, active(replay).filter((r) => r.ready).length);
    }
    expect(minReady).toBe(3);
    const good = active(runtime.state).map((r) => r.uid).sort();

    await updateDeployment(db.store, 'web', { replicas: 3, strategy, progressDeadlineSeconds: 2, image: 'broken:1' });
    await waitUntil(
      'progress deadline exceeded',
      () => findCondition(runtime.state.deployments.get(KEY)?.status?.conditions, 'Progressing')?.reason === 'ProgressDeadlineExceeded',
      15_000,
    );
    expect(active(runtime.state).filter((r) => imageOf(r) === 'broken:1')).toHaveLength(1);
    expect(active(runtime.state).filter((r) => good.includes(r.uid) && r.ready)).toHaveLength(3);

    await deploymentEvent(db.store, 'web', 'DeploymentRolledBack', { toRevision: 0 });
    await waitUntil('rolled back', () => runtime.state.replicas.size === 3 && active(runtime.state).every((r) => good.includes(r.uid)));
    await waitUntil('complete again', () => findCondition(runtime.state.deployments.get(KEY)?.status?.conditions, 'Progressing')?.reason === 'NewReplicaSetAvailable');
    const revisions = runtime.state.deployments.get(KEY)?.revisions.map((r) => r.revision).sort();
    expect(revisions).toEqual([1, 3, 4]);
  });

  it('reports a replica that fits nowhere with the counted reason, and places it when a node joins', async () => {
    const prefix = uniquePrefix();
    await registerNode(db.store, `${prefix}-small-1`, { cpuMilli: 500 });
    await registerNode(db.store, `${prefix}-small-2`, { cpuMilli: 500 });
    const { runtime } = await scheduler();
    await createDeployment(db.store, 'web', { replicas: 1, requests: { cpu: '2' } });
    await waitUntil('unschedulable reported', () => active(runtime.state)[0]?.unschedulableMessage !== undefined);
    expect(active(runtime.state)[0].unschedulableMessage).toBe('0/2 nodes are available: 2 Insufficient cpu.');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Retried without a cluster change? No: one report, no busy loop.
    expect((await readLog(db.store)).filter((e) => e.type === 'ReplicaUnschedulable')).toHaveLength(1);
    await registerNode(db.store, `${prefix}-big`, { cpuMilli: 4000 });
    await waitUntil('placed on the new node', () => active(runtime.state)[0]?.node === `${prefix}-big`);
    expect(runtime.metrics.unschedulable).toBeDefined();
  });

  it('replaces the replicas of a lost node elsewhere, and the node gets an empty set when it returns', async () => {
    const names = await nodes(3);
    const { runtime, nats } = await scheduler();
    await agents(names);
    await createDeployment(db.store, 'web', { replicas: 3 });
    await waitUntil('3 ready', () => active(runtime.state).filter((r) => r.ready).length === 3);
    const lost = names[0];
    const onLost = active(runtime.state).filter((r) => r.node === lost).map((r) => r.uid);
    expect(onLost.length).toBeGreaterThan(0);
    const started = Date.now();
    await db.store.append(`node:${lost}`, 'any', [{ type: 'NodeLost', data: { reason: 'no heartbeat' } }]);
    await waitUntil('3 ready elsewhere', () => {
      const replicas = active(runtime.state);
      return replicas.length === 3 && replicas.every((r) => r.ready && r.node !== lost);
    });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(5_000);
    const log = await readLog(db.store);
    for (const uid of onLost) {
      const events = log.filter((e) => e.streamId === `replica:${uid}`).map((e) => e.type);
      expect(events).toEqual(expect.arrayContaining(['ReplicaDeletionRequested', 'ReplicaDeleted']));
      expect(log.find((e) => e.streamId === `replica:${uid}` && e.type === 'ReplicaDeletionRequested')?.data).toEqual({ reason: 'NodeLost' });
    }
    await registerNode(db.store, lost);
    await waitUntil('node back', () => runtime.state.nodes.get(lost)?.ready === true);
    expect((await requestDesired(nats, lost)).replicas).toEqual([]);
  });

  it('two schedulers acting at once never bind a replica twice and agree on the state', async () => {
    const names = await nodes(3);
    const a = await scheduler({ lease: new AlwaysHeldLease() });
    const b = await scheduler({ lease: new AlwaysHeldLease() });
    await agents(names);
    await createDeployment(db.store, 'web', { replicas: 12 });
    await createDeployment(db.store, 'api', { replicas: 8 });
    await waitUntil('20 ready', () => active(a.runtime.state).filter((r) => r.ready).length === 12 && active(a.runtime.state, 'default/api').filter((r) => r.ready).length === 8);
    await deploymentEvent(db.store, 'web', 'DeploymentScaled', { replicas: 4 });
    await updateDeployment(db.store, 'api', { replicas: 8, image: 'nginx:2.0' });
    await waitUntil('settled', () => {
      const s = a.runtime.state;
      const api = active(s, 'default/api');
      return active(s).length === 4 && api.length === 8 && api.every((r) => r.ready && imageOf(r) === 'nginx:2.0') && s.replicas.size === 12;
    }, 40_000);
    const log = await readLog(db.store);
    const bindings = new Map<string, number>();
    for (const e of log) if (e.type === 'ReplicaScheduled') bindings.set(e.streamId, (bindings.get(e.streamId) ?? 0) + 1);
    expect([...bindings.values()].every((n) => n === 1)).toBe(true);
    expect(log.filter((e) => e.type === 'ReplicaCreated').length).toBe(bindings.size);
    // 12 + 8 at first, then 8 new for the rollout: never one replica too many.
    expect(bindings.size).toBe(28);
    const deletionRequests = new Map<string, number>();
    for (const e of log) if (e.type === 'ReplicaDeletionRequested') deletionRequests.set(e.streamId, (deletionRequests.get(e.streamId) ?? 0) + 1);
    expect([...deletionRequests.values()].every((n) => n === 1)).toBe(true);
    await a.runtime.follower.catchUp();
    await b.runtime.follower.catchUp();
    expect(b.runtime.state).toEqual(a.runtime.state);
    // Both really acted (and raced: the log refused the loser's stale appends).
    expect(a.runtime.reconciler.passCount).toBeGreaterThan(0);
    expect(b.runtime.reconciler.passCount).toBeGreaterThan(0);
    const refused = async (s: typeof a) => (await s.runtime.metrics.conflicts.get()).values.reduce((n, v) => n + v.value, 0);
    expect((await refused(a)) + (await refused(b))).toBeGreaterThan(0);
  });

  it('with leases, one copy acts; when it stops the other takes over', async () => {
    const names = await nodes(2);
    const a = await scheduler();
    await waitUntil('a leads', () => a.runtime.isLeader);
    const b = await scheduler();
    await agents(names);
    await createDeployment(db.store, 'web', { replicas: 2 });
    await waitUntil('2 ready', () => active(a.runtime.state).filter((r) => r.ready).length === 2);
    expect(b.runtime.isLeader).toBe(false);
    expect(b.runtime.reconciler.passCount).toBe(0);
    // The standby still answers desired-state requests (queue group) from its own state.
    await waitUntil('both copies at the same position', () => a.runtime.state.position === b.runtime.state.position);
    expect(b.runtime.desired.stateFor(names[0])).toEqual(a.runtime.desired.stateFor(names[0]));
    expect(b.runtime.desired.stateFor(names[0]).replicas.length).toBeGreaterThan(0);
    await a.stop();
    await waitUntil('b leads', () => b.runtime.isLeader, 5_000);
    await deploymentEvent(db.store, 'web', 'DeploymentScaled', { replicas: 4 });
    await waitUntil('4 ready under b', () => active(b.runtime.state).filter((r) => r.ready).length === 4);
  });

  it('a restarted scheduler rebuilds the same state from the log and appends nothing new', async () => {
    const names = await nodes(2);
    const first = await scheduler();
    await agents(names);
    await createDeployment(db.store, 'web', { replicas: 4, minReadySeconds: 1 });
    await waitUntil('4 available', () => runtime(first).state.deployments.get(KEY)?.status?.availableReplicas === 4);
    await db.store.append(`node:${names[1]}`, 'any', [{ type: 'NodeCordoned', data: {} }]);
    await first.runtime.follower.catchUp();
    const before = first.runtime.state;
    await first.stop();
    const head = await db.store.headPosition();
    expect(await foldLog(db.store)).toEqual(before);

    const second = await scheduler();
    expect(second.runtime.state).toEqual(before);
    await waitUntil('lease taken', () => second.runtime.isLeader);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await db.store.headPosition()).toBe(head);
    const set: DesiredState = await requestDesired(second.nats as NatsConnection, names[0]);
    expect(set.replicas.map((r) => r.uid).sort()).toEqual(active(before).filter((r) => r.node === names[0]).map((r) => r.uid).sort());
  });
});

function runtime(s: { runtime: { state: ClusterState } }): { state: ClusterState } {
  return s.runtime;
}
