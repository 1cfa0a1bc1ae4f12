import { templateHash } from '@berth/cluster-state';
import { deploymentManifest, startTestGateway, TestGateway } from '../gateway-test.fixture';

const NS = '/apis/apps/v1/namespaces/default/deployments';

type Deployment = { metadata: Record<string, unknown>; spec: Record<string, unknown>; status: Record<string, unknown> };

describe('deployments over HTTP (real Postgres + NATS)', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('gwdep');
  });
  afterAll(async () => {
    await gw.close();
  });

  it('creates, reads, lists, replaces, patches and deletes a deployment', async () => {
    const created = await gw.request<Deployment>('POST', NS, { body: deploymentManifest('web') });
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({ name: 'web', namespace: 'default', generation: 1 });
    expect(created.body.metadata['uid']).toMatch(/^[0-9a-f-]{36}$/);
    const rv = Number(created.body.metadata['resourceVersion']);
    // Read-your-writes: the answer is at least at the write's position.
    expect(rv).toBe(await gw.head());

    const got = await gw.request<Deployment>('GET', `${NS}/web`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);

    const list = await gw.request<{ kind: string; metadata: { resourceVersion: string }; items: Deployment[] }>('GET', NS);
    expect(list.body.kind).toBe('DeploymentList');
    expect(list.body.items.map((d) => d.metadata['name'])).toEqual(['web']);
    expect(Number(list.body.metadata.resourceVersion)).toBeGreaterThanOrEqual(rv);
    const all = await gw.request<{ items: Deployment[] }>('GET', '/apis/apps/v1/deployments');
    expect(all.body.items).toHaveLength(1);

    const replaced = await gw.request<Deployment>('PUT', `${NS}/web`, { body: { ...deploymentManifest('web', { image: 'nginx:1.28' }), metadata: { name: 'web', resourceVersion: String(rv) } } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.metadata['generation']).toBe(2);
    expect(replaced.body.metadata['uid']).toBe(created.body.metadata['uid']);
    expect(JSON.stringify(replaced.body.spec)).toContain('nginx:1.28');

    const patched = await gw.request<Deployment>('PATCH', `${NS}/web`, { body: { metadata: { labels: { tier: 'front' } } }, contentType: 'application/merge-patch+json' });
    expect(patched.status).toBe(200);
    expect(patched.body.metadata['labels']).toEqual({ tier: 'front' });

    const jsonPatched = await gw.request<Deployment>('PATCH', `${NS}/web`, {
      body: [
        { op: 'test', path: '/metadata/labels/tier', value: 'front' },
        { op: 'replace', path: '/spec/replicas', value: 4 },
      ],
      contentType: 'application/json-patch+json',
    });
    expect(jsonPatched.status).toBe(200);
    expect(jsonPatched.body.spec['replicas']).toBe(4);
    // A replicas-only change is a DeploymentScaled: the generation stays (as the controller counts it).
    expect(jsonPatched.body.metadata['generation']).toBe(3);
    const events = await gw.db.store.readStream('deployment:default/web');
    expect(events.map((e) => e.type)).toEqual(['DeploymentCreated', 'DeploymentUpdated', 'DeploymentUpdated', 'DeploymentScaled']);
    expect(events[0].metadata).toMatchObject({ actor: 'anonymous' });
    expect(events[0].metadata.correlationId).toBeTruthy();

    const deleted = await gw.request<{ status: string; details: Record<string, unknown> }>('DELETE', `${NS}/web`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'web', group: 'apps', kind: 'deployments' } });
    expect((await gw.request('GET', `${NS}/web`)).status).toBe(404);
    // The name can be used again: a new incarnation on the same stream.
    const again = await gw.request<Deployment>('POST', NS, { body: deploymentManifest('web') });
    expect(again.status).toBe(201);
    expect(again.body.metadata['uid']).not.toBe(created.body.metadata['uid']);
  });

  it('answers an unchanged replace without appending anything', async () => {
    await gw.request('POST', NS, { body: deploymentManifest('same') });
    const head = await gw.head();
    const replaced = await gw.request<Deployment>('PUT', `${NS}/same`, { body: deploymentManifest('same') });
    expect(replaced.status).toBe(200);
    expect(await gw.head()).toBe(head);
  });

  it('serves the scale and status subresources, pause by patch', async () => {
    await gw.request('POST', NS, { body: deploymentManifest('scaled', { replicas: 1 }) });
    const scale = await gw.request<{ kind: string; spec: { replicas: number }; status: { selector: string } }>('GET', `${NS}/scaled/scale`);
    expect(scale.body).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 }, status: { selector: 'app=scaled' } });
    const put = await gw.request<{ spec: { replicas: number } }>('PUT', `${NS}/scaled/scale`, { body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'scaled' }, spec: { replicas: 5 } } });
    expect(put.status).toBe(200);
    expect(put.body.spec.replicas).toBe(5);
    const patch = await gw.request<{ spec: { replicas: number } }>('PATCH', `${NS}/scaled/scale`, { body: { spec: { replicas: 3 } }, contentType: 'application/merge-patch+json' });
    expect(patch.body.spec.replicas).toBe(3);
    const status = await gw.request<Deployment>('GET', `${NS}/scaled/status`);
    expect(status.body.spec['replicas']).toBe(3);
    const paused = await gw.request<Deployment>('PATCH', `${NS}/scaled`, { body: { spec: { paused: true } }, contentType: 'application/strategic-merge-patch+json' });
    expect(paused.body.spec['paused']).toBe(true);
    const types = (await gw.db.store.readStream('deployment:default/scaled')).map((e) => e.type);
    expect(types).toEqual(['DeploymentCreated', 'DeploymentScaled', 'DeploymentScaled', 'DeploymentPaused']);
  });

  it('rolls back to a revision recorded by the controller and lists the history', async () => {
    const first = deploymentManifest('roll', { image: 'nginx:1' });
    await gw.request('POST', NS, { body: { ...first, metadata: { name: 'roll', annotations: { 'kubernetes.io/change-cause': 'first' } } } });
    // The deployment controller (scheduler) records revisions; here the test plays it.
    const revision = async (n: number, image: string) => {
      const template = (deploymentManifest('roll', { image }).spec as { template: Record<string, unknown> }).template;
      const got = await gw.request<Deployment>('GET', `${NS}/roll`);
      const stored = (got.body.spec as { template: Record<string, unknown> }).template;
      const at = await gw.db.store.append('deployment:default/roll', 'any', [{ type: 'DeploymentRevisionCreated', data: { revision: n, templateHash: templateHash(stored), template: stored } }]);
      await gw.pump.waitFor(at.lastPosition);
      return template;
    };
    await revision(1, 'nginx:1');
    await gw.request('PUT', `${NS}/roll`, { body: { ...deploymentManifest('roll', { image: 'nginx:2' }), metadata: { name: 'roll', annotations: { 'kubernetes.io/change-cause': 'second' } } } });
    await revision(2, 'nginx:2');
    const history = await gw.request<{ kind: string; revisions: { revision: number; images: string[]; changeCause?: string }[] }>('GET', `${NS}/roll/history`);
    expect(history.body.kind).toBe('DeploymentHistory');
    expect(history.body.revisions.map((r) => [r.revision, r.images[0], r.changeCause])).toEqual([
      [1, 'nginx:1', 'first'],
      [2, 'nginx:2', 'second'],
    ]);
    const current = await gw.request<Deployment>('GET', `${NS}/roll`);
    expect((current.body.metadata['annotations'] as Record<string, string>)['deployment.kubernetes.io/revision']).toBe('2');

    const back = await gw.request<Deployment>('POST', `${NS}/roll/rollback`, { body: {} });
    expect(back.status).toBe(200);
    expect(JSON.stringify(back.body.spec)).toContain('nginx:1');
    expect((back.body.metadata['annotations'] as Record<string, string>)['deployment.kubernetes.io/revision']).toBe('1');
    const last = (await gw.db.store.readStream('deployment:default/roll')).pop();
    expect(last).toMatchObject({ type: 'DeploymentRolledBack', data: { toRevision: 1 } });

    const missing = await gw.request<{ reason: string; message: string }>('POST', `${NS}/roll/rollback`, { body: { toRevision: 9 } });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('revision 9');
  });

  it('rejects a change of the immutable selector and a name that differs from the URL', async () => {
    await gw.request('POST', NS, { body: deploymentManifest('fixed') });
    const head = await gw.head();
    const changed = deploymentManifest('fixed');
    changed.spec.selector = { matchLabels: { app: 'other' } };
    changed.spec.template.metadata.labels = { app: 'other' };
    const answer = await gw.request<{ details: { causes: { field: string }[] } }>('PUT', `${NS}/fixed`, { body: changed });
    expect(answer.status).toBe(422);
    expect(answer.body.details.causes.map((c) => c.field)).toEqual(['spec.selector']);
    const renamed = await gw.request('PUT', `${NS}/fixed`, { body: deploymentManifest('other') });
    expect(renamed.status).toBe(400);
    expect(await gw.head()).toBe(head);
  });

  it('warns about unknown fields like kubectl shows them', async () => {
    const manifest = deploymentManifest('warned') as Record<string, unknown> & { spec: Record<string, unknown> };
    manifest.spec['bogus'] = true;
    const answer = await gw.request('POST', NS, { body: manifest });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('warning')).toBe('299 - "unknown field \\"spec.bogus\\""');
  });

  it('accepts YAML bodies', async () => {
    const yaml = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: from-yaml
spec:
  selector: {matchLabels: {app: y}}
  template:
    metadata: {labels: {app: y}}
    spec:
      containers: [{name: c, image: busybox}]
`;
    const answer = await gw.request<Deployment>('POST', NS, { body: yaml, contentType: 'application/yaml' });
    expect(answer.status).toBe(201);
    expect(answer.body.spec['replicas']).toBe(1);
  });
});
