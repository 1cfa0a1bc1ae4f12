import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { NewEvent } from '@berth/contracts';
import { ProjectionRunner } from '@berth/event-store';
import { createTestDatabase, TestDatabase } from '@berth/testing';
import { apiReadModelMigrations } from '../migrations';
import { ApiObjectReader } from './api-object.reader';
import { ApiObjectsProjection } from './api-objects.projection';
import { BatchProjectionRunner } from './batch-projection.runner';

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } };

describe('BatchProjectionRunner (real Postgres)', () => {
  let db: TestDatabase;
  let reader: ApiObjectReader;
  const append = (streamId: string, ...events: NewEvent[]) => db.store.append(streamId, 'any', events);

  beforeAll(async () => {
    db = await createTestDatabase('batchrun', { migrations: apiReadModelMigrations });
    reader = new ApiObjectReader(db.pool, db.options.schema);
  });
  afterAll(async () => {
    await db.cleanup();
  });

  it('applies each batch from what the write of the one before brought back, as a rebuild from 0 does', async () => {
    await append('namespace:default', { type: 'NamespaceCreated', data: { manifest: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } } });
    await append('node:n1', {
      type: 'NodeRegistered',
      data: { labels: {}, taints: [], capacity: { cpuMilli: 2000, memoryBytes: 2 ** 32 }, allocatable: { cpuMilli: 2000, memoryBytes: 2 ** 32 }, address: '127.0.0.2', info: {} },
    });
    await append('node:n1', { type: 'NodeReady', data: {} });
    const manifest = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', uid: 'dep-uid' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template } };
    await append('deployment:default/web', { type: 'DeploymentCreated', data: { manifest } });
    const replicas = [randomUUID(), randomUUID(), randomUUID()];
    // Each replica's events read rows written one batch earlier (the Deployment, the Node, the pod itself).
    for (const uid of replicas) {
      await append(`replica:${uid}`, { type: 'ReplicaCreated', data: { namespace: 'default', deployment: 'web', revision: 1, templateHash: 'h1', template } });
      await append(`replica:${uid}`, { type: 'ReplicaScheduled', data: { node: 'n1' } });
      await append(`replica:${uid}`, { type: 'ReplicaStarted', data: { node: 'n1', containerId: `c-${uid}`, hostPorts: {}, hostIp: '127.0.0.2' } });
    }
    await append('deployment:default/web', { type: 'DeploymentScaled', data: { replicas: 1 } });
    await append(`replica:${replicas[2]}`, { type: 'ReplicaExited', data: { node: 'n1', exitCode: 1, reason: 'Error', restartCount: 1 } });
    await append(`replica:${replicas[2]}`, { type: 'ReplicaExited', data: { node: 'n1', exitCode: 1, reason: 'Error', restartCount: 2 } });
    await append('service:default/api', { type: 'ServiceCreated', data: { manifest: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'default' }, spec: { ports: [{ port: 80 }] } } } });
    await append('service:default/api', { type: 'ServiceDeleted', data: {} });
    const head = await db.store.headPosition();

    const statements = jest.spyOn(db.pool, 'query');
    const runner = new BatchProjectionRunner(db.pool, db.options.schema, 2);
    expect(await runner.catchUp()).toBe(head);
    const reads = statements.mock.calls.filter(([text]) => typeof text === 'string' && text.startsWith('WITH cp AS (SELECT position'));
    statements.mockRestore();
    // One read for the first batch: every later one came back with the write before it.
    expect(reads).toHaveLength(1);
    const pods = await reader.list('Pod', { namespace: 'default', limit: 10 });
    expect(pods.items.map((p) => (p.object as { metadata: { ownerReferences?: { uid: string }[] } }).metadata.ownerReferences?.[0]?.uid)).toEqual(['dep-uid', 'dep-uid', 'dep-uid']);

    const live = await reader.dump();
    await new ProjectionRunner(db.dataSource, db.store, new ApiObjectsProjection(db.options.schema), 7).rebuild();
    expect(await reader.dump()).toEqual(live);
  });

  it('reads the rows a batch needs by index, however many objects there are', async () => {
    // A schema of its own: no other connection scans its objects while their scans are counted.
    const own = await createTestDatabase('batchidx', { migrations: apiReadModelMigrations });
    // One connection for the runner, so that its statistics can be flushed before they are read.
    const pool = new Pool({ connectionString: own.options.url, max: 1 });
    try {
      const deployment = (name: string) => ({ manifest: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' }, spec: { replicas: 1, selector: { matchLabels: { app: name } }, template } } });
      for (let b = 0; b < 20; b++) {
        await own.store.appendMany(
          Array.from({ length: 100 }, (_, i) => ({ streamId: `deployment:default/d-${b}-${i}`, expected: 'no_stream' as const, events: [{ type: 'DeploymentCreated', data: deployment(`d-${b}-${i}`) }] })),
        );
      }
      // The batch size the gateway runs with: the plan is made for as many events.
      const runner = new BatchProjectionRunner(pool, own.options.schema, 500);
      await runner.catchUp();
      await own.pool.query(`ANALYZE "${own.options.schema}".api_objects`);
      const scans = async () => {
        await pool.query('SELECT pg_stat_force_next_flush()');
        const result = await own.pool.query<{ seq: string; idx: string }>(
          `SELECT seq_scan AS seq, coalesce(idx_scan, 0) AS idx FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'api_objects'`,
          [own.options.schema],
        );
        return { seq: Number(result.rows[0].seq), idx: Number(result.rows[0].idx) };
      };
      const before = await scans();
      // Updates read their rows: in the first batch's read, and in the prefetch of each write.
      for (let i = 0; i < 60; i++) await own.store.append(`deployment:default/d-${i % 20}-${i}`, 'any', [{ type: 'DeploymentScaled', data: { replicas: 2 } }]);
      await runner.catchUp();
      let after = await scans();
      for (let tries = 0; after.idx === before.idx && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        after = await scans();
      }
      expect(after.idx).toBeGreaterThan(before.idx);
      expect(after.seq).toBe(before.seq);
    } finally {
      await pool.end();
      await own.cleanup();
    }
  });
});
