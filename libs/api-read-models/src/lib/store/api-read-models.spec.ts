import { randomUUID } from 'node:crypto';
import { NewEvent } from '@berth/contracts';
import { templateHash } from '@berth/cluster-state';
import { ProjectionRunner } from '@berth/event-store';
import { createTestDatabase, TestDatabase } from '@berth/testing';
import { apiReadModelMigrations } from '../migrations';
import { ObjectChange } from '../model/api-object.model';
import { hashToken } from '../model/token-hash.util';
import { ApiObjectReader } from './api-object.reader';
import { ApiObjectsProjection } from './api-objects.projection';
import { BatchProjectionRunner } from './batch-projection.runner';
import { ChangeFeed } from './change.feed';
import { ProjectionPump } from './projection.pump';
import { TokenDirectory } from './token.directory';

const template = (image: string) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image, imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
});
const deployment = (image: string, replicas = 2) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', uid: 'dep-uid-1', labels: { app: 'web' } },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template(image) },
});

describe('API read models (real Postgres)', () => {
  let db: TestDatabase;
  let reader: ApiObjectReader;
  let runner: ProjectionRunner;
  let batched: BatchProjectionRunner;
  let pump: ProjectionPump;
  const append = (streamId: string, ...events: NewEvent[]) => db.store.append(streamId, 'any', events);

  beforeAll(async () => {
    db = await createTestDatabase('apirm', { migrations: apiReadModelMigrations });
    reader = new ApiObjectReader(db.pool, db.options.schema);
    runner = new ProjectionRunner(db.dataSource, db.store, new ApiObjectsProjection(db.options.schema), 7);
    // Live as in the gateway (batched); ProjectionRunner rebuilds, and must reach the same state.
    batched = new BatchProjectionRunner(db.pool, db.options.schema, 5);
    pump = new ProjectionPump(batched, { listenUrl: db.options.url, notifyChannel: db.store.notifyChannel });
    await pump.start();
  });
  afterAll(async () => {
    await pump.stop();
    await db.cleanup();
  });

  it('folds a deployment, its replicas, a node and tokens; a rebuild from 0 equals the live read model', async () => {
    await append('namespace:default', { type: 'NamespaceCreated', data: { manifest: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', uid: 'ns-uid' } } } });
    await append('node:n1', {
      type: 'NodeRegistered',
      data: { labels: { zone: 'a' }, taints: [], capacity: { cpuMilli: 2000, memoryBytes: 4 * 1024 ** 3 }, allocatable: { cpuMilli: 1500, memoryBytes: 3 * 1024 ** 3 }, address: '127.0.0.2', info: { dockerVersion: '27.0' } },
    });
    await append('node:n1', { type: 'NodeReady', data: {} });
    const created = await append('deployment:default/web', { type: 'DeploymentCreated', data: { manifest: deployment('nginx:1') } });
    await append('deployment:default/web', { type: 'DeploymentRevisionCreated', data: { revision: 1, templateHash: templateHash(template('nginx:1')), template: template('nginx:1') } });
    const uids = [randomUUID(), randomUUID()];
    for (const uid of uids) {
      await append(`replica:${uid}`, { type: 'ReplicaCreated', data: { namespace: 'default', deployment: 'web', revision: 1, templateHash: 'h1', template: template('nginx:1') } });
      await append(`replica:${uid}`, { type: 'ReplicaScheduled', data: { node: 'n1' } });
      await append(`replica:${uid}`, { type: 'ReplicaStarted', data: { node: 'n1', containerId: `c-${uid}`, hostPorts: { '80': 20001 }, hostIp: '127.0.0.2' } });
      await append(`replica:${uid}`, { type: 'ReplicaReady', data: { node: 'n1' } });
    }
    await append(`replica:${uids[1]}`, { type: 'ReplicaExited', data: { node: 'n1', exitCode: 1, reason: 'Error', restartCount: 1 } });
    await append(`replica:${uids[1]}`, { type: 'ReplicaExited', data: { node: 'n1', exitCode: 1, reason: 'Error', restartCount: 2 } });
    await append('deployment:default/web', { type: 'DeploymentStatusChanged', data: { status: { replicas: 2, readyReplicas: 1, observedGeneration: 1 } } });
    await append('deployment:default/web', { type: 'DeploymentUpdated', data: { manifest: deployment('nginx:2') } });
    await append('deployment:default/web', { type: 'DeploymentRevisionCreated', data: { revision: 2, templateHash: templateHash(template('nginx:2')), template: template('nginx:2') } });
    await append('deployment:default/web', { type: 'DeploymentRolledBack', data: { toRevision: 0 } });
    await append('deployment:default/web', { type: 'DeploymentScaled', data: { replicas: 5 } });
    await append('node:n1', { type: 'NodeCordoned', data: {} });
    await append('token:t1', { type: 'TokenCreated', data: { role: 'edit', namespace: 'default', hash: hashToken('berth_t1_secret'), name: 'ci' } });
    await append('token:t2', { type: 'TokenCreated', data: { role: 'view', hash: Buffer.from(hashToken('berth_t2_secret'), 'hex').toString('base64url') } });
    const head = (await append('token:t1', { type: 'TokenRevoked', data: {} })).lastPosition;
    await pump.waitFor(head);

    const dep = await reader.get('Deployment', 'default', 'web', { internal: true });
    expect(dep.position).toBe(head);
    const object = dep.row?.object as { metadata: Record<string, unknown>; spec: { replicas: number; template: unknown }; status: unknown };
    expect(object.metadata['uid']).toBe('dep-uid-1');
    expect(object.metadata['generation']).toBe(2);
    expect(object.spec.replicas).toBe(5);
    // Rolled back to revision 1: the template is nginx:1 again.
    expect(JSON.stringify(object.spec.template)).toContain('nginx:1');
    expect(Number(object.metadata['resourceVersion'])).toBeGreaterThan(created.lastPosition);
    expect(object.metadata['annotations']).toEqual({ 'deployment.kubernetes.io/revision': '1' });

    const pods = await reader.list('Pod', { namespace: 'default', limit: 10 });
    expect(pods.items).toHaveLength(2);
    const crashing = pods.items.map((p) => p.object as { metadata: { uid: string; ownerReferences: { uid: string }[] }; status: Record<string, unknown> }).find((p) => p.metadata.uid === uids[1]);
    expect(crashing?.metadata.ownerReferences[0].uid).toBe('dep-uid-1');
    expect(crashing?.status).toMatchObject({ phase: 'Running', hostIP: '127.0.0.2', podIP: '127.0.0.2' });
    expect((crashing?.status['containerStatuses'] as { restartCount: number; state: Record<string, unknown> }[])[0]).toMatchObject({
      restartCount: 2,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error' } },
    });

    const node = await reader.get('Node', '', 'n1');
    expect(node.row?.object).toMatchObject({ spec: { unschedulable: true }, status: { capacity: { cpu: '2', memory: '4194304Ki' }, conditions: [{ type: 'Ready', status: 'True' }] } });

    const events = await reader.list('Event', { namespace: 'default', limit: 100 });
    const backOff = events.items.map((e) => e.object as { reason: string; count: number }).find((e) => e.reason === 'BackOff');
    expect(backOff?.count).toBe(2);
    expect(events.items.map((e) => (e.object as { reason: string }).reason)).toEqual(expect.arrayContaining(['Scheduled', 'Started', 'RegisteredNode', 'NodeNotSchedulable']));

    expect(await reader.tokenByHash(hashToken('berth_t1_secret'))).toMatchObject({ id: 't1', role: 'edit', namespace: 'default', revoked: true });
    const directory = new TokenDirectory(reader);
    expect(await directory.authenticate('berth_t1_secret')).toBeUndefined();
    expect(await directory.authenticate('berth_t2_secret')).toMatchObject({ id: 't2', role: 'view' });
    expect(await directory.authenticate('berth_t2_wrong')).toBeUndefined();

    const live = await reader.dump();
    await runner.rebuild();
    expect(await reader.dump()).toEqual(live);
    await batched.rebuild();
    expect(await reader.dump()).toEqual(live);
  });

  it('lets two batched runners race on one checkpoint without applying anything twice', async () => {
    const other = new BatchProjectionRunner(db.pool, db.options.schema, 3);
    const before = await reader.dump();
    for (let i = 0; i < 30; i++) await append(`node:race-${i % 4}`, { type: i % 2 ? 'NodeCordoned' : 'NodeUncordoned', data: {} });
    await Promise.all([other.catchUp(), batched.catchUp(), other.catchUp()]);
    await pump.waitFor(await db.store.headPosition());
    const live = await reader.dump();
    expect(live).not.toEqual(before);
    await runner.rebuild();
    expect(await reader.dump()).toEqual(live);
  });

  it('keeps resourceVersion at the last event that changed the object', async () => {
    const first = await append('service:default/api', {
      type: 'ServiceCreated',
      data: { manifest: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'default', uid: 'svc' }, spec: { ports: [{ port: 80 }] } } },
    });
    // A scale to the same count changes nothing a client can see... on another object.
    const later = await append('deployment:default/web', { type: 'DeploymentStatusChanged', data: { status: { replicas: 5 } } });
    await pump.waitFor(later.lastPosition);
    const svc = await reader.get('Service', 'default', 'api');
    expect(svc.row?.resourceVersion).toBe(first.lastPosition);
    const same = await append('deployment:default/web', { type: 'DeploymentStatusChanged', data: { status: { replicas: 5 } } });
    await pump.waitFor(same.lastPosition);
    const dep = await reader.get('Deployment', 'default', 'web');
    expect(dep.row?.resourceVersion).toBe(later.lastPosition);
    expect(dep.row?.streamVersion).toBe(await db.store.streamVersion('deployment:default/web'));
  });

  it('replays the watch feed from a position, then follows it live, and deletes leave tombstones', async () => {
    const feed = new ChangeFeed(reader, pump);
    const from = await db.store.headPosition();
    await append('service:default/one', { type: 'ServiceCreated', data: { manifest: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'one', namespace: 'default' }, spec: { ports: [{ port: 80 }] } } } });
    const before = await append('service:default/one', { type: 'ServiceDeleted', data: {} });
    await pump.waitFor(before.lastPosition);
    const abort = new AbortController();
    const seen: ObjectChange[] = [];
    const following = (async () => {
      for await (const batch of feed.follow(from, { kinds: ['Service'], namespace: 'default' }, abort.signal, 50)) {
        seen.push(...batch.changes);
        if (seen.length >= 4) abort.abort();
      }
    })();
    await append('service:default/one', { type: 'ServiceCreated', data: { manifest: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'one', namespace: 'default' }, spec: { ports: [{ port: 81 }] } } } });
    await append('service:other/two', { type: 'ServiceCreated', data: { manifest: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'two', namespace: 'other' }, spec: { ports: [{ port: 80 }] } } } });
    await append('service:default/one', { type: 'ServiceDeleted', data: {} });
    await following;
    expect(seen.map((c) => `${c.type} ${c.name}`)).toEqual(['ADDED one', 'DELETED one', 'ADDED one', 'DELETED one']);
    expect(seen.map((c) => c.position)).toEqual([...seen.map((c) => c.position)].sort((a, b) => a - b));
    const tombstone = await reader.get('Service', 'default', 'one');
    expect(tombstone.row?.deleted).toBe(true);
    expect(tombstone.row?.streamVersion).toBe(3);
    expect((await reader.list('Service', { namespace: 'default', limit: 10 })).items.map((i) => i.name)).toEqual(['api']);
  });

  it('compacts the watch feed', async () => {
    const head = await db.store.headPosition();
    await reader.compactChanges(head - 1);
    expect(await reader.compactedThrough()).toBe(head - 1);
    expect((await reader.changesAfter(0)).every((c) => c.position > head - 1)).toBe(true);
  });
});
