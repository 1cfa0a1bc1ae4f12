import fc from 'fast-check';
import { EventSequence, templateHash } from '@berth/cluster-state';
import { RecordedEvent } from '@berth/contracts';
import { JsonObject, ObjectRow } from './api-object.model';
import { foldBatch, renderKubeEvents } from './batch-fold';
import { foldDeployment, rollbackTarget, DeploymentInternal } from './deployment.view';
import { kubeEventName, kubeEventsFor, renderKubeEvent } from './kube-event.view';
import { foldNode } from './node.view';
import { foldPod } from './pod.view';
import { settle } from './settle';
import { hashToken, normalizeTokenHash } from './token-hash.util';

const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } });
const manifest = (image: string, replicas = 2) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', uid: 'dep-1' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template(image) },
});

/** Folds events through settle, as the projection does, returning the rows by stream. */
function run(events: RecordedEvent[]): Map<string, ObjectRow | null> {
  const rows = new Map<string, ObjectRow | null>();
  foldBatch(events, rows);
  return rows;
}

type Pod = { metadata: Record<string, unknown>; status: { phase: string; conditions: JsonObject[]; containerStatuses?: JsonObject[]; podIP?: string } };

describe('pods from replica events', () => {
  const seq = new EventSequence();
  const deployment = seq.next('deployment:default/web', 'DeploymentCreated', { manifest: manifest('nginx:1') });
  const node = seq.next('node:n1', 'NodeRegistered', { labels: {}, taints: [], capacity: { cpuMilli: 1000, memoryBytes: 1024 }, allocatable: { cpuMilli: 1000, memoryBytes: 1024 }, address: '127.0.0.9', info: {} });
  const replica = 'replica:7d0e4b52-0000-4000-8000-000000000001';
  const created = seq.next(replica, 'ReplicaCreated', { namespace: 'default', deployment: 'web', revision: 1, templateHash: 'abc', template: template('nginx:1') });
  const pod = (events: RecordedEvent[]) => run([deployment, node, created, ...events]).get(replica)?.object as Pod;

  it('is Pending until scheduled, then says where it runs', () => {
    expect(pod([]).status).toEqual({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] });
    expect(pod([]).metadata['ownerReferences']).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'web', uid: 'dep-1', controller: true })]);
    const unschedulable = pod([seq.next(replica, 'ReplicaUnschedulable', { message: '0/1 nodes are available: 1 Insufficient cpu' })]);
    expect(unschedulable.status.conditions[0]).toMatchObject({ reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu' });
  });

  it('goes Running, ready, crash-looping and back, counting restarts', () => {
    const scheduled = seq.next(replica, 'ReplicaScheduled', { node: 'n1' });
    const started = seq.next(replica, 'ReplicaStarted', { node: 'n1', containerId: 'c1', hostPorts: {}, hostIp: '127.0.0.9' });
    const ready = seq.next(replica, 'ReplicaReady', { node: 'n1' });
    expect(pod([scheduled]).status.containerStatuses?.[0]).toMatchObject({ state: { waiting: { reason: 'ContainerCreating' } }, ready: false });
    const running = pod([scheduled, started, ready]);
    expect(running.status).toMatchObject({ phase: 'Running', podIP: '127.0.0.9' });
    expect(running.status.containerStatuses?.[0]).toMatchObject({ ready: true, started: true, restartCount: 0, containerID: 'docker://c1', image: 'nginx:1' });
    const exited = seq.next(replica, 'ReplicaExited', { node: 'n1', exitCode: 137, reason: 'OOMKilled', restartCount: 1 });
    const crashing = pod([scheduled, started, ready, exited]);
    expect(crashing.status.containerStatuses?.[0]).toMatchObject({
      ready: false,
      restartCount: 1,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
    });
    const again = pod([scheduled, started, ready, exited, seq.next(replica, 'ReplicaStarted', { node: 'n1', containerId: 'c2', hostPorts: {}, hostIp: '127.0.0.9' })]);
    expect(again.status.containerStatuses?.[0]).toMatchObject({ state: { running: {} }, lastState: { terminated: { exitCode: 137 } }, restartCount: 1 });
  });

  it('shows a failure reason, a deletion timestamp, and goes away when deleted', () => {
    const failed = pod([seq.next(replica, 'ReplicaScheduled', { node: 'n1' }), seq.next(replica, 'ReplicaFailed', { reason: 'ErrImageNeverPull', message: 'image not present' })]);
    expect(failed.status).toMatchObject({ phase: 'Failed', reason: 'ErrImageNeverPull' });
    expect(failed.status.containerStatuses?.[0]).toMatchObject({ state: { waiting: { reason: 'ErrImageNeverPull', message: 'image not present' } } });
    const deleting = pod([seq.next(replica, 'ReplicaDeletionRequested', { reason: 'scaled down' })]);
    expect(deleting.metadata['deletionTimestamp']).toBeTruthy();
    expect(run([deployment, created, seq.next(replica, 'ReplicaDeleted', {})]).get(replica)).toBeNull();
  });

  it('is named like the scheduler names the replica', () => {
    expect(String(pod([]).metadata['name'])).toMatch(/^web-abc-[a-z0-9]{5}$/);
    expect(foldPod(undefined, seq.next('replica:x', 'ReplicaReady', { node: 'n1' }), {})).toBeUndefined();
  });
});

describe('nodes', () => {
  it('registers, turns ready, is cordoned, drained, lost, and comes back unknown', () => {
    const seq = new EventSequence();
    const stream = 'node:n2';
    const events = [
      seq.next(stream, 'NodeCordoned', {}),
      seq.next(stream, 'NodeRegistered', { labels: { zone: 'a' }, taints: [], capacity: { cpuMilli: 1500, memoryBytes: 2048 }, allocatable: { cpuMilli: 1000, memoryBytes: 1024 }, address: '127.0.0.2', info: { os: 'Debian', arch: 'amd64' } }),
      seq.next(stream, 'NodeReady', {}),
      seq.next(stream, 'NodeDrainRequested', {}),
    ];
    // Mentioned before it registered: hidden (a tombstone), then visible.
    expect(run(events.slice(0, 1)).get(stream)?.deleted).toBe(true);
    const node = run(events).get(stream)?.object as { metadata: JsonObject; spec: JsonObject; status: JsonObject };
    expect(node.spec).toEqual({ unschedulable: true, taints: [expect.objectContaining({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })] });
    expect(node.metadata['annotations']).toEqual({ 'berth.io/drain-requested': 'true' });
    expect(node.status['capacity']).toEqual({ cpu: '1500m', memory: '2Ki', pods: '110' });
    expect(node.status['nodeInfo']).toMatchObject({ osImage: 'Debian', architecture: 'amd64' });
    const lost = run([...events, seq.next(stream, 'NodeLost', { reason: 'no heartbeat for 30s' })]).get(stream)?.object as { status: { conditions: JsonObject[] } };
    expect(lost.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'no heartbeat for 30s' });
    expect(foldNode(undefined, seq.next('node:n3', 'NodeReady', {}))?.deleted).toBe(true);
  });
});

describe('deployments', () => {
  it('rolls back to the newest other revision, and keeps generation for scale', () => {
    const seq = new EventSequence();
    const stream = 'deployment:default/web';
    const h1 = templateHash(template('nginx:1'));
    const h2 = templateHash(template('nginx:2'));
    const rows = run([
      seq.next(stream, 'DeploymentCreated', { manifest: manifest('nginx:1') }),
      seq.next(stream, 'DeploymentRevisionCreated', { revision: 1, templateHash: h1, template: template('nginx:1') }),
      seq.next(stream, 'DeploymentUpdated', { manifest: manifest('nginx:2') }),
      seq.next(stream, 'DeploymentRevisionCreated', { revision: 2, templateHash: h2, template: template('nginx:2') }),
      seq.next(stream, 'DeploymentScaled', { replicas: 7 }),
    ]);
    const row = rows.get(stream) as ObjectRow;
    expect(row.generation).toBe(2);
    expect(rollbackTarget(row.internal as unknown as DeploymentInternal, 0)?.revision).toBe(1);
    expect(rollbackTarget(row.internal as unknown as DeploymentInternal, 2)?.templateHash).toBe(h2);
    expect(rollbackTarget(row.internal as unknown as DeploymentInternal, 5)).toBeUndefined();
    const back = foldDeployment(row, seq.next(stream, 'DeploymentRolledBack', { toRevision: 1 })) as ObjectRow;
    expect(JSON.stringify(back.object['spec'])).toContain('nginx:1');
    expect((back.object['metadata'] as { annotations: Record<string, string> }).annotations['deployment.kubernetes.io/revision']).toBe('1');
    expect((back.object['spec'] as { replicas: number }).replicas).toBe(7);
  });
});

describe('settle and resourceVersion', () => {
  it('stamps a changed object with the position, keeps an unchanged one, and reports the change', () => {
    const seq = new EventSequence();
    const created = seq.next('service:default/s', 'ServiceCreated', { manifest: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: { ports: [{ port: 80 }] } } });
    expect(settle(undefined, undefined, created.globalPosition)).toEqual({ row: undefined });
    const rows = new Map<string, ObjectRow | null>();
    const { writes } = foldBatch([created, seq.next('service:default/s', 'ServiceUpdated', created.data as Record<string, unknown>)], rows);
    expect(writes.changes.map((c) => [c.type, c.position])).toEqual([['ADDED', 1]]);
    expect(rows.get('service:default/s')?.resourceVersion).toBe(1);
    expect(rows.get('service:default/s')?.streamVersion).toBe(1);
  });
});

describe('Kubernetes Events', () => {
  it('counts the same event again, with first and last timestamps', () => {
    const seq = new EventSequence();
    const node = 'node:n4';
    const registered = seq.next(node, 'NodeRegistered', { labels: {}, taints: [], capacity: { cpuMilli: 1, memoryBytes: 1 }, allocatable: { cpuMilli: 1, memoryBytes: 1 }, address: 'a', info: {} });
    const rows = run([registered]);
    const row = rows.get(node) as ObjectRow;
    const lost = seq.next(node, 'NodeLost', { reason: 'gone' });
    const [draft] = kubeEventsFor(lost, row);
    expect(draft).toMatchObject({ namespace: 'default', reason: 'NodeLost', type: 'Warning', involvedObject: { kind: 'Node', name: 'n4' } });
    const once = renderKubeEvent(draft, lost, undefined);
    seq.advance(60_000);
    const twice = renderKubeEvent(draft, seq.next(node, 'NodeLost', { reason: 'gone' }), once);
    expect(twice).toMatchObject({ count: 2, firstTimestamp: once['firstTimestamp'] });
    expect(twice['lastTimestamp']).not.toBe(once['firstTimestamp']);
    expect((twice['metadata'] as { name: string }).name).toBe(kubeEventName(draft));
    const writes = { rows: new Map(), kubeEvents: new Map(), changes: [], tokens: new Map(), revocations: new Map() };
    renderKubeEvents([{ event: lost, seq: 1, draft }, { event: lost, seq: 2, draft }], new Map(), writes);
    expect([...writes.kubeEvents.values()][0].object['count']).toBe(2);
  });
});

describe('token hashes', () => {
  it('accepts hex, sha256:hex, base64 and base64url encodings of one digest', () => {
    const hex = hashToken('berth_a_secret');
    const bytes = Buffer.from(hex, 'hex');
    for (const encoded of [hex, hex.toUpperCase(), `sha256:${hex}`, bytes.toString('base64'), bytes.toString('base64url')]) expect(normalizeTokenHash(encoded)).toBe(hex);
    expect(normalizeTokenHash('not-a-hash')).toBeUndefined();
  });
});

describe('batches', () => {
  const streams = ['deployment:default/a', 'node:n1', 'replica:00000000-0000-4000-8000-00000000000a', 'service:default/s', 'token:t1'];
  const eventArb = fc.oneof(
    fc.constant(['deployment:default/a', 'DeploymentCreated', { manifest: manifest('nginx:1') }] as const),
    fc.integer({ min: 0, max: 9 }).map((replicas) => ['deployment:default/a', 'DeploymentScaled', { replicas }] as const),
    fc.constant(['deployment:default/a', 'DeploymentDeleted', {}] as const),
    fc.constant(['node:n1', 'NodeRegistered', { labels: {}, taints: [], capacity: { cpuMilli: 1, memoryBytes: 1 }, allocatable: { cpuMilli: 1, memoryBytes: 1 }, address: 'x', info: {} }] as const),
    fc.constantFrom(['node:n1', 'NodeReady', {}] as const, ['node:n1', 'NodeCordoned', {}] as const, ['node:n1', 'NodeLost', { reason: 'r' }] as const),
    fc.constant([streams[2], 'ReplicaCreated', { namespace: 'default', deployment: 'a', revision: 1, templateHash: 'h', template: template('nginx:1') }] as const),
    fc.constantFrom([streams[2], 'ReplicaScheduled', { node: 'n1' }] as const, [streams[2], 'ReplicaReady', { node: 'n1' }] as const, [streams[2], 'ReplicaDeleted', {}] as const),
    fc.constantFrom([streams[2], 'ReplicaExited', { node: 'n1', exitCode: 1, reason: 'Error', restartCount: 1 }] as const),
    fc.constant(['service:default/s', 'ServiceCreated', { manifest: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: {} } }] as const),
    fc.constantFrom(['token:t1', 'TokenCreated', { role: 'view', hash: hashToken('x') }] as const, ['token:t1', 'TokenRevoked', {}] as const),
  );

  it('property: folding a log in batches of any sizes writes what folding it at once writes', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }), (specs, sizes) => {
        const seq = new EventSequence();
        const events = specs.map(([stream, type, data]) => seq.advance(1000).next(stream, type, data));
        const whole = new Map<string, ObjectRow | null>();
        const all = foldBatch(events, whole);
        const parts = new Map<string, ObjectRow | null>();
        const changes: unknown[] = [];
        // The tokens table as the write statement leaves it: upserts, then revocations of existing ids.
        const table = (writes: ReturnType<typeof foldBatch>['writes'], into: Map<string, { revoked: boolean; position: number }>) => {
          for (const [id, token] of writes.tokens) into.set(id, { revoked: token.revoked, position: token.position });
          for (const [id, position] of writes.revocations) {
            const existing = into.get(id);
            if (existing) into.set(id, { revoked: true, position });
          }
        };
        const tokens = new Map<string, { revoked: boolean; position: number }>();
        for (let i = 0, k = 0; i < events.length; ) {
          const size = sizes[k++ % sizes.length];
          const { writes } = foldBatch(events.slice(i, i + size), parts);
          changes.push(...writes.changes);
          table(writes, tokens);
          i += size;
        }
        const wholeTokens = new Map<string, { revoked: boolean; position: number }>();
        table(all.writes, wholeTokens);
        expect(parts).toEqual(whole);
        expect(changes).toEqual(all.writes.changes);
        expect(tokens).toEqual(wholeTokens);
      }),
    );
  });
});
