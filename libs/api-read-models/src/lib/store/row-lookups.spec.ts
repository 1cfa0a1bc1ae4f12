import { createTestDatabase, TestDatabase } from '@berth/testing';
import { apiReadModelMigrations } from '../migrations';
import { ApiObjectReader } from './api-object.reader';
import { BatchProjectionRunner } from './batch-projection.runner';

const deployment = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } },
});

describe('row lookups of the API read models (real Postgres)', () => {
  let db: TestDatabase;
  let reader: ApiObjectReader;
  let head: number;

  beforeAll(async () => {
    db = await createTestDatabase('lookups', { migrations: apiReadModelMigrations });
    reader = new ApiObjectReader(db.pool, db.options.schema);
    await db.store.append('namespace:default', 'no_stream', [{ type: 'NamespaceCreated', data: { manifest: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } } }]);
    for (let i = 0; i < 30; i++) await db.store.append(`deployment:default/d-${i}`, 'no_stream', [{ type: 'DeploymentCreated', data: { manifest: deployment(`d-${i}`) } }]);
    await db.store.append('deployment:default/d-7', 0, [{ type: 'DeploymentDeleted', data: {} }]);
    head = await new BatchProjectionRunner(db.pool, db.options.schema).catchUp();
  });
  afterAll(async () => {
    await db.cleanup();
  });

  it('answers concurrent lookups each with its own rows, in few statements', async () => {
    const statements = jest.spyOn(db.pool, 'query');
    const lookups = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0
        ? reader.get('Deployment', 'default', `d-${i % 30}`, { internal: i % 4 === 0 })
        : reader.getRows([
            { kind: 'Deployment', namespace: 'default', name: `d-${i % 30}` },
            { kind: 'Namespace', namespace: '', name: 'default' },
            { kind: 'Deployment', namespace: 'default', name: 'missing' },
          ]),
    );
    const results = await Promise.all(lookups);
    // Two statements go out at once; the lookups queued meanwhile share the next ones.
    expect(statements.mock.calls.length).toBeLessThanOrEqual(6);
    statements.mockRestore();
    results.forEach((result, i) => {
      const name = `d-${i % 30}`;
      if (i % 2 === 0) {
        const { position, row } = result as Awaited<ReturnType<ApiObjectReader['get']>>;
        expect(position).toBe(head);
        expect(row?.name).toBe(name);
        expect(row?.deleted).toBe(name === 'd-7');
        expect(Object.keys(row?.internal ?? {}).length > 0).toBe(i % 4 === 0);
      } else {
        const [row, namespace, missing] = result as Awaited<ReturnType<ApiObjectReader['getRows']>>;
        expect(row?.name).toBe(name);
        expect(namespace?.name).toBe('default');
        expect(missing).toBeUndefined();
      }
    });
  });

  it('fails the lookups of a failed statement, and keeps serving the next ones', async () => {
    const broken = new ApiObjectReader(db.pool, 'no_such_schema');
    const failed = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => broken.get('Deployment', 'default', `d-${i}`)));
    expect(failed.every((r) => r.status === 'rejected' && /does not exist/.test(String(r.reason)))).toBe(true);
    await expect(broken.getRows([{ kind: 'Deployment', namespace: 'default', name: 'd-1' }])).rejects.toThrow(/does not exist/);
    expect((await reader.get('Deployment', 'default', 'd-1')).row?.name).toBe('d-1');
  });
});
