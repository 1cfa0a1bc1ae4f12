import fc from 'fast-check';
import { RecordedEvent } from '@berth/contracts';
import { ClusterState } from './cluster-state.model';
import {
  activeReplicasOf,
  isReplicaAvailable,
  nodeReadyCondition,
  pendingReplicas,
  podPhase,
  replicasOfRevision,
  replicasOnNode,
  retainedRevisions,
} from './cluster-state.queries';
import { apply, applyInPlace, cloneClusterState, emptyClusterState, foldEvents } from './cluster-state.reducer';
import { EventSequence } from './event-sequence';
import { templateHash } from './template-hash';

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

function manifest(image: string, replicas = 3, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
      ...extra,
    },
  };
}

const D = 'deployment:default/web';

function replicaCreated(seq: EventSequence, uid: string, hash: string, revision = 1): RecordedEvent {
  return seq.next(`replica:${uid}`, 'ReplicaCreated', {
    namespace: 'default',
    deployment: 'web',
    revision,
    templateHash: hash,
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'x' }] } },
    priority: 0,
  });
}

describe('cluster-state reducer', () => {
  it('folds a deployment: defaults, hash, generation, scale, pause, status, revisions', () => {
    const seq = new EventSequence();
    const events = [
      seq.next(D, 'DeploymentCreated', { manifest: manifest('nginx:1') }),
      seq.next(D, 'DeploymentRevisionCreated', { revision: 1, templateHash: 'h1', template: {} }),
      seq.next(D, 'DeploymentScaled', { replicas: 5 }),
      seq.next(D, 'DeploymentPaused', {}),
      seq.next(D, 'DeploymentStatusChanged', { status: { replicas: 5, observedGeneration: 1 } }),
    ];
    const state = foldEvents(events);
    const d = state.deployments.get('default/web');
    expect(d).toMatchObject({
      namespace: 'default',
      name: 'web',
      generation: 1,
      paused: true,
      version: 4,
      incarnation: 1,
      status: { replicas: 5, observedGeneration: 1 },
      spec: { replicas: 5, minReadySeconds: 0, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', maxSurge: '25%', maxUnavailable: '25%' } },
    });
    expect((d?.manifest['spec'] as Record<string, unknown>)['replicas']).toBe(5);
    expect(d?.templateHash).toBe(templateHash((manifest('nginx:1')['spec'] as Record<string, unknown>)['template'] as Record<string, unknown>));
    expect(d?.revisions.map((r) => [r.revision, r.templateHash])).toEqual([[1, 'h1']]);
    expect(state.position).toBe(5);

    const updated = apply(state, seq.next(D, 'DeploymentUpdated', { manifest: manifest('nginx:2') }));
    expect(updated.deployments.get('default/web')?.generation).toBe(2);
    expect(updated.deployments.get('default/web')?.templateHash).not.toBe(d?.templateHash);
  });

  it('renumbers a revision whose template comes back, and rolls back to the previous template', () => {
    const seq = new EventSequence();
    let state = foldEvents([seq.next(D, 'DeploymentCreated', { manifest: manifest('nginx:1') })]);
    const t1 = must(state.deployments.get('default/web')).spec.template;
    const h1 = must(state.deployments.get('default/web')).templateHash;
    state = apply(state, seq.next(D, 'DeploymentRevisionCreated', { revision: 1, templateHash: h1, template: t1 }));
    state = apply(state, seq.next(D, 'DeploymentUpdated', { manifest: manifest('nginx:broken') }));
    const h2 = must(state.deployments.get('default/web')).templateHash;
    state = apply(state, seq.next(D, 'DeploymentRevisionCreated', { revision: 2, templateHash: h2, template: must(state.deployments.get('default/web')).spec.template }));
    state = apply(state, seq.next(D, 'DeploymentRolledBack', { toRevision: 0 }));
    let d = must(state.deployments.get('default/web'));
    expect(d.templateHash).toBe(h1);
    expect(d.lastRollback).toMatchObject({ toRevision: 0, found: true });
    expect(((d.manifest['spec'] as Record<string, unknown>)['template'] as Record<string, unknown>)).toEqual(t1);
    state = apply(state, seq.next(D, 'DeploymentRevisionCreated', { revision: 3, templateHash: h1, template: t1 }));
    d = must(state.deployments.get('default/web'));
    expect(d.revisions.map((r) => [r.templateHash, r.revision])).toEqual([
      [h1, 3],
      [h2, 2],
    ]);
    state = apply(state, seq.next(D, 'DeploymentRolledBack', { toRevision: 7 }));
    expect(must(state.deployments.get('default/web')).lastRollback).toMatchObject({ toRevision: 7, found: false });
    expect(must(state.deployments.get('default/web')).templateHash).toBe(h1);
  });

  it('keeps only revisionHistoryLimit empty old revisions for rollback', () => {
    const seq = new EventSequence();
    let state = foldEvents([seq.next(D, 'DeploymentCreated', { manifest: manifest('img:0', 1, { revisionHistoryLimit: 1 }) })]);
    for (let i = 1; i <= 3; i++) {
      state = apply(state, seq.next(D, 'DeploymentRevisionCreated', { revision: i, templateHash: `h${i}`, template: { n: i } }));
    }
    const d = must(state.deployments.get('default/web'));
    // Current template is img:0 (no revision of it): the newest empty old one is kept, the rest are history.
    expect(retainedRevisions(state, d).map((r) => r.revision)).toEqual([3]);
    state = apply(state, seq.next(D, 'DeploymentRolledBack', { toRevision: 1 }));
    expect(must(state.deployments.get('default/web')).lastRollback?.found).toBe(false);
  });

  it('follows a replica through its phases and keeps the indexes', () => {
    const seq = new EventSequence();
    const R = 'replica:r1';
    let state = foldEvents([seq.next(D, 'DeploymentCreated', { manifest: manifest('nginx:1', 1, { minReadySeconds: 5 }) }), replicaCreated(seq, 'r1', 'h1')]);
    expect(state.replicas.get('r1')).toMatchObject({ phase: 'Pending', ownerIncarnation: 1, ready: false });
    expect(must(state.deployments.get('default/web')).replicasCreated).toBe(1);
    expect(pendingReplicas(state).map((r) => r.uid)).toEqual(['r1']);
    expect(podPhase(must(state.replicas.get('r1')))).toBe('Pending');

    state = apply(state, seq.next(R, 'ReplicaUnschedulable', { message: '0/1 nodes are available: 1 Insufficient cpu.' }));
    expect(must(state.replicas.get('r1')).unschedulableMessage).toContain('Insufficient cpu');
    state = apply(state, seq.next(R, 'ReplicaScheduled', { node: 'n1' }));
    expect(state.replicas.get('r1')).toMatchObject({ phase: 'Scheduled', node: 'n1', unschedulableMessage: undefined, version: 2 });
    expect(state.index.pending.size).toBe(0);
    expect(replicasOnNode(state, 'n1').map((r) => r.uid)).toEqual(['r1']);

    seq.advance(1000);
    state = apply(state, seq.next(R, 'ReplicaStarted', { node: 'n1', containerId: 'c1', hostPorts: { '80': 20001 }, hostIp: '127.0.0.2' }));
    expect(state.replicas.get('r1')).toMatchObject({ phase: 'Running', hostIp: '127.0.0.2', ready: false });
    state = apply(state, seq.next(R, 'ReplicaReady', { node: 'n1' }));
    const readyAt = seq.now;
    expect(state.replicas.get('r1')).toMatchObject({ phase: 'Ready', ready: true, readySince: readyAt });
    expect(isReplicaAvailable(must(state.replicas.get('r1')), 5, readyAt + 4_999)).toBe(false);
    expect(isReplicaAvailable(must(state.replicas.get('r1')), 5, readyAt + 5_000)).toBe(true);
    seq.advance(2000);
    state = apply(state, seq.next(R, 'ReplicaReady', { node: 'n1' }));
    expect(must(state.replicas.get('r1')).readySince).toBe(readyAt);

    state = apply(state, seq.next(R, 'ReplicaExited', { node: 'n1', exitCode: 1, reason: 'Error', restartCount: 1 }));
    expect(state.replicas.get('r1')).toMatchObject({ phase: 'Running', ready: false, restartCount: 1, lastExit: { exitCode: 1 } });
    state = apply(state, seq.next(R, 'ReplicaFailed', { node: 'n1', reason: 'CrashLoopBackOff' }));
    expect(state.replicas.get('r1')).toMatchObject({ phase: 'Failed', failure: { reason: 'CrashLoopBackOff' } });

    state = apply(state, seq.next(R, 'ReplicaDeletionRequested', { reason: 'ScaledDown' }));
    expect(state.replicas.get('r1')).toMatchObject({ phase: 'Terminating', deletionRequested: true, deletionReason: 'ScaledDown' });
    expect(activeReplicasOf(state, must(state.deployments.get('default/web')))).toEqual([]);
    expect([...state.index.terminating]).toEqual(['r1']);
    state = apply(state, seq.next(R, 'ReplicaStopped', { node: 'n1' }));
    expect(state.replicas.get('r1')).toMatchObject({ phase: 'Terminating', stopped: true });
    state = apply(state, seq.next(R, 'ReplicaDeleted', {}));
    expect(state.replicas.has('r1')).toBe(false);
    expect(state.index).toEqual({ byDeployment: new Map(), byNode: new Map(), pending: new Set(), terminating: new Set() });
  });

  it('forgets a deleted deployment once its last replica is deleted', () => {
    const seq = new EventSequence();
    let state = foldEvents([seq.next(D, 'DeploymentCreated', { manifest: manifest('nginx:1') }), replicaCreated(seq, 'a', 'h'), replicaCreated(seq, 'b', 'h')]);
    state = apply(state, seq.next(D, 'DeploymentDeleted', {}));
    expect(state.deployments.get('default/web')?.deleted).toBe(true);
    state = apply(state, seq.next('replica:a', 'ReplicaDeleted', {}));
    expect(state.deployments.has('default/web')).toBe(true);
    state = apply(state, seq.next('replica:b', 'ReplicaDeleted', {}));
    expect(state.deployments.has('default/web')).toBe(false);
  });

  it('starts a new incarnation when a deployment name is created again', () => {
    const seq = new EventSequence();
    let state = foldEvents([seq.next(D, 'DeploymentCreated', { manifest: manifest('nginx:1') }), replicaCreated(seq, 'old', 'h'), seq.next(D, 'DeploymentDeleted', {})]);
    state = apply(state, seq.next(D, 'DeploymentCreated', { manifest: manifest('nginx:1') }));
    const d = must(state.deployments.get('default/web'));
    expect(d).toMatchObject({ incarnation: 4, deleted: false, replicasCreated: 0, generation: 1 });
    expect(state.replicas.get('old')?.ownerIncarnation).toBe(1);
    expect(activeReplicasOf(state, d)).toEqual([]);
    expect(replicasOfRevision(state, 'default/web', 'h').map((r) => r.uid)).toEqual(['old']);
  });

  it('tracks node conditions, loss, re-registration, cordon and drain', () => {
    const seq = new EventSequence();
    const N = 'node:n1';
    const registered = { labels: { zone: 'a' }, taints: [], capacity: { cpuMilli: 2000, memoryBytes: 1e9 }, allocatable: { cpuMilli: 1900, memoryBytes: 9e8 }, address: '127.0.0.2', info: {} };
    let state = foldEvents([seq.next(N, 'NodeRegistered', registered)]);
    expect(state.nodes.get('n1')).toMatchObject({ registered: true, ready: false, condition: 'Unknown', allocatable: { cpuMilli: 1900 } });
    state = apply(state, seq.advance(10).next(N, 'NodeReady', {}));
    expect(nodeReadyCondition(must(state.nodes.get('n1')))).toMatchObject({ type: 'Ready', status: 'True', reason: 'KubeletReady' });
    state = apply(state, seq.advance(10).next(N, 'NodeNotReady', { reason: 'heartbeat late' }));
    expect(state.nodes.get('n1')).toMatchObject({ ready: false, lost: false, condition: 'NotReady', conditionReason: 'heartbeat late' });
    state = apply(state, seq.advance(10).next(N, 'NodeLost', { reason: 'no heartbeat for 30s' }));
    expect(state.nodes.get('n1')).toMatchObject({ lost: true, condition: 'Lost', lostAt: seq.now });
    expect(nodeReadyCondition(must(state.nodes.get('n1'))).status).toBe('Unknown');
    state = apply(state, seq.advance(10).next(N, 'NodeRegistered', registered));
    expect(state.nodes.get('n1')).toMatchObject({ lost: false, ready: false, condition: 'Unknown' });
    state = apply(state, seq.next(N, 'NodeReady', {}));
    state = apply(state, seq.next(N, 'NodeDrainRequested', {}));
    expect(state.nodes.get('n1')).toMatchObject({ cordoned: true, drainRequested: true, ready: true });
    state = apply(state, seq.next(N, 'NodeUncordoned', {}));
    expect(state.nodes.get('n1')).toMatchObject({ cordoned: false, drainRequested: false, version: 7 });
  });

  it('apply leaves its input untouched', () => {
    const seq = new EventSequence();
    const before = foldEvents([seq.next(D, 'DeploymentCreated', { manifest: manifest('nginx:1') }), replicaCreated(seq, 'r1', 'h')]);
    const snapshot = cloneClusterState(before);
    const after = apply(before, seq.next('replica:r1', 'ReplicaScheduled', { node: 'n1' }));
    expect(before).toEqual(snapshot);
    expect(after.replicas.get('r1')?.node).toBe('n1');
    expect(before.replicas.get('r1')?.node).toBeUndefined();
  });
});

// Random but valid logs: the fold must not depend on how the events are batched, and the indexes must
// always agree with the records.
const uids = ['a', 'b', 'c', 'd'];
const nodes = ['n1', 'n2'];
type Step = { kind: string; uid: string; node: string };
const stepArb = fc.record({
  kind: fc.constantFrom('create', 'schedule', 'start', 'ready', 'notReady', 'exit', 'fail', 'delreq', 'stop', 'delete', 'nodeReady', 'nodeLost', 'scale', 'update', 'status', 'ddelete', 'dcreate'),
  uid: fc.constantFrom(...uids),
  node: fc.constantFrom(...nodes),
});

function buildLog(steps: Step[]): RecordedEvent[] {
  const seq = new EventSequence();
  const events: RecordedEvent[] = [seq.next(D, 'DeploymentCreated', { manifest: manifest('img:1') })];
  const created = new Set<string>();
  let counter = 0;
  for (const step of steps) {
    seq.advance(100);
    const R = `replica:${step.uid}`;
    switch (step.kind) {
      case 'create':
        if (created.has(step.uid)) break;
        created.add(step.uid);
        events.push(replicaCreated(seq, step.uid, `h${counter % 2}`));
        break;
      case 'schedule':
        if (created.has(step.uid)) events.push(seq.next(R, 'ReplicaScheduled', { node: step.node }));
        break;
      case 'start':
        if (created.has(step.uid)) events.push(seq.next(R, 'ReplicaStarted', { node: step.node, containerId: 'c', hostPorts: {}, hostIp: '127.0.0.1' }));
        break;
      case 'ready':
        if (created.has(step.uid)) events.push(seq.next(R, 'ReplicaReady', { node: step.node }));
        break;
      case 'notReady':
        if (created.has(step.uid)) events.push(seq.next(R, 'ReplicaNotReady', { node: step.node }));
        break;
      case 'exit':
        if (created.has(step.uid)) events.push(seq.next(R, 'ReplicaExited', { node: step.node, exitCode: 1, reason: 'Error', restartCount: ++counter }));
        break;
      case 'fail':
        if (created.has(step.uid)) events.push(seq.next(R, 'ReplicaFailed', { reason: 'Boom' }));
        break;
      case 'delreq':
        if (created.has(step.uid)) events.push(seq.next(R, 'ReplicaDeletionRequested', { reason: 'ScaledDown' }));
        break;
      case 'stop':
        if (created.has(step.uid)) events.push(seq.next(R, 'ReplicaStopped', { node: step.node }));
        break;
      case 'delete':
        if (created.delete(step.uid)) events.push(seq.next(R, 'ReplicaDeleted', {}));
        break;
      case 'nodeReady':
        events.push(seq.next(`node:${step.node}`, 'NodeReady', {}));
        break;
      case 'nodeLost':
        events.push(seq.next(`node:${step.node}`, 'NodeLost', { reason: 'gone' }));
        break;
      case 'scale':
        events.push(seq.next(D, 'DeploymentScaled', { replicas: ++counter % 7 }));
        break;
      case 'update':
        events.push(seq.next(D, 'DeploymentUpdated', { manifest: manifest(`img:${++counter}`) }));
        break;
      case 'status':
        events.push(seq.next(D, 'DeploymentStatusChanged', { status: { replicas: counter } }));
        break;
      case 'ddelete':
        events.push(seq.next(D, 'DeploymentDeleted', {}));
        break;
      case 'dcreate':
        events.push(seq.next(D, 'DeploymentCreated', { manifest: manifest(`img:${++counter}`) }));
        break;
    }
  }
  return events;
}

function checkIndexes(state: ClusterState): void {
  for (const [uid, r] of state.replicas) {
    expect(state.index.byDeployment.get(r.deploymentKey)?.has(uid)).toBe(true);
    expect(state.index.pending.has(uid)).toBe(r.node === undefined && !r.deletionRequested);
    expect(state.index.terminating.has(uid)).toBe(r.deletionRequested);
    if (r.node !== undefined) expect(state.index.byNode.get(r.node)?.has(uid)).toBe(true);
  }
  const indexed = [...state.index.byDeployment.values()].reduce((n, s) => n + s.size, 0);
  expect(indexed).toBe(state.replicas.size);
  const onNodes = [...state.index.byNode.values()].reduce((n, s) => n + s.size, 0);
  expect(onNodes).toBe([...state.replicas.values()].filter((r) => r.node !== undefined).length);
}

describe('cluster-state reducer properties', () => {
  it('is deterministic and independent of batching; indexes agree with records', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 60 }), fc.integer({ min: 1, max: 10 }), (steps, chunk) => {
        const events = buildLog(steps);
        const whole = foldEvents(events);
        let chunked = emptyClusterState();
        for (let i = 0; i < events.length; i += chunk) chunked = foldEvents(events.slice(i, i + chunk), chunked);
        let stepwise = emptyClusterState();
        for (const event of events) stepwise = apply(stepwise, event);
        const inPlace = emptyClusterState();
        for (const event of events) applyInPlace(inPlace, event);
        expect(chunked).toEqual(whole);
        expect(stepwise).toEqual(whole);
        expect(inPlace).toEqual(whole);
        expect(whole.position).toBe(events.length);
        checkIndexes(whole);
      }),
      { numRuns: 200 },
    );
  });
});
