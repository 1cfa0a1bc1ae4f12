import { deploymentManifest, startTestGateway, TestGateway } from '../gateway-test.fixture';

const NS = '/apis/apps/v1/namespaces/default/deployments';

describe('conflicts: expected versions settle concurrent writers', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('gwconf');
  });
  afterAll(async () => {
    await gw.close();
  });

  it('refuses a replace with a stale resourceVersion (409) and appends nothing', async () => {
    const created = await gw.request<{ metadata: { resourceVersion: string } }>('POST', NS, { body: deploymentManifest('stale') });
    const oldVersion = created.body.metadata.resourceVersion;
    await gw.request('PATCH', `${NS}/stale`, { body: { metadata: { labels: { moved: 'on' } } }, contentType: 'application/merge-patch+json' });
    const head = await gw.head();
    const answer = await gw.request<{ reason: string; message: string }>('PUT', `${NS}/stale`, {
      body: { ...deploymentManifest('stale', { replicas: 9 }), metadata: { name: 'stale', resourceVersion: oldVersion } },
    });
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ kind: 'Status', reason: 'Conflict' });
    expect(answer.body.message).toContain('the object has been modified');
    expect(await gw.head()).toBe(head);
    // A patch carrying a stale resourceVersion is a precondition too.
    const patched = await gw.request('PATCH', `${NS}/stale`, { body: { metadata: { resourceVersion: oldVersion }, spec: { replicas: 9 } }, contentType: 'application/merge-patch+json' });
    expect(patched.status).toBe(409);
    expect(await gw.head()).toBe(head);
  });

  it('lets exactly one of concurrent creates of one name win; the others get 409', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => gw.request('POST', NS, { body: deploymentManifest('race', { replicas: i + 1 }) })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const events = await gw.db.store.readStream('deployment:default/race');
    expect(events.map((e) => e.type)).toEqual(['DeploymentCreated']);
    for (const answer of answers.filter((a) => a.status === 409)) expect(answer.body).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', code: 409 });
  });

  it('applies concurrent patches one after the other (each retried on the version it lost to)', async () => {
    await gw.request('POST', NS, { body: deploymentManifest('busy') });
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => gw.request('PATCH', `${NS}/busy`, { body: { metadata: { labels: { [`k${i}`]: 'v' } } }, contentType: 'application/merge-patch+json' })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const final = await gw.request<{ metadata: { labels: Record<string, string> } }>('GET', `${NS}/busy`);
    expect(Object.keys(final.body.metadata.labels).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
  });

  it('gives a write that lost to another writer (stale read model) a 409, not a duplicate', async () => {
    await gw.request('POST', NS, { body: deploymentManifest('behind') });
    // Another gateway copy appends behind this one's back.
    await gw.db.store.append('deployment:default/behind', 'any', [{ type: 'DeploymentScaled', data: { replicas: 4 } }]);
    const again = await gw.request<{ reason: string }>('POST', NS, { body: deploymentManifest('behind') });
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe('AlreadyExists');
    const types = (await gw.db.store.readStream('deployment:default/behind')).map((e) => e.type);
    expect(types).toEqual(['DeploymentCreated', 'DeploymentScaled']);
  });
});
