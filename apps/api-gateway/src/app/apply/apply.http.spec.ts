import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from '@berth/testing';
import { startTestGateway, TestGateway } from '../gateway-test.fixture';
import { ApplyResult } from './apply.service';

const NGINX = readFileSync(join(WORKSPACE_ROOT, 'libs/manifests/src/fixtures/nginx.yaml'), 'utf8');
const yaml = 'application/yaml';

describe('POST /apply', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('gwapply');
  });
  afterAll(async () => {
    await gw.close();
  });

  it('applies the seed nginx Deployment + Service unchanged, then reports them unchanged, then configured', async () => {
    const first = await gw.request<ApplyResult>('POST', '/apply', { body: NGINX, contentType: yaml });
    expect(first.status).toBe(200);
    expect(first.body.items.map((i) => [i.kind, i.namespace, i.name, i.action])).toEqual([
      ['Deployment', 'default', 'nginx-deployment', 'created'],
      ['Service', 'default', 'nginx-service', 'created'],
    ]);
    const deployment = await gw.request<{ spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } }>('GET', '/apis/apps/v1/namespaces/default/deployments/nginx-deployment');
    expect(deployment.body.spec.replicas).toBe(3);
    expect(deployment.body.spec.template.spec.containers[0].image).toBe('nginx:latest');
    const svc = await gw.request<{ spec: { type: string; ports: { port: number; nodePort: number }[] } }>('GET', '/api/v1/namespaces/default/services/nginx-service');
    expect(svc.body.spec).toMatchObject({ type: 'LoadBalancer', ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] });
    expect(svc.body.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);

    const head = await gw.head();
    const again = await gw.request<ApplyResult>('POST', '/apply', { body: NGINX, contentType: yaml });
    expect(again.body.items.map((i) => i.action)).toEqual(['unchanged', 'unchanged']);
    expect(await gw.head()).toBe(head);

    const scaled = await gw.request<ApplyResult>('POST', '/apply', { body: NGINX.replace('replicas: 3', 'replicas: 5'), contentType: yaml });
    expect(scaled.body.items.map((i) => i.action)).toEqual(['configured', 'unchanged']);
    expect((await gw.db.store.readStream('deployment:default/nginx-deployment')).map((e) => e.type)).toEqual(['DeploymentCreated', 'DeploymentScaled']);
  });

  it('applies in document order, namespace first; one bad object fails alone (207) and appends nothing', async () => {
    const body = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
spec:
  replicas: -1
  selector: {matchLabels: {app: b}}
  template:
    metadata: {labels: {app: b}}
    spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Service
metadata:
  name: front
spec:
  ports: [{port: 8080}]
  bogus: 1
---
apiVersion: v1
kind: Pod
metadata:
  name: handmade
spec:
  containers: [{name: c, image: busybox}]
`;
    const answer = await gw.request<ApplyResult>('POST', '/apply?namespace=shop', { body, contentType: yaml });
    expect(answer.status).toBe(207);
    expect(answer.body.items.map((i) => [i.kind, i.name, i.action])).toEqual([
      ['Namespace', 'shop', 'created'],
      ['Deployment', 'broken', 'failed'],
      ['Service', 'front', 'created'],
      ['Pod', 'handmade', 'failed'],
    ]);
    expect(answer.body.items[1].status).toMatchObject({ code: 422, details: { causes: [{ field: 'spec.replicas' }] } });
    expect(answer.body.items[2].namespace).toBe('shop');
    expect(answer.body.items[2].warnings).toEqual(['unknown field "spec.bogus"']);
    expect(answer.body.items[3].status?.code).toBe(405);
    expect(await gw.db.store.streamVersion('deployment:shop/broken')).toBe(-1);
  });

  it('keeps the live replicas and paused of a Deployment whose manifest leaves them out (like kubectl apply)', async () => {
    const manifest = (NGINX.split(/^---$/m).find((d) => d.includes('kind: Deployment')) ?? '').replace(/nginx-deployment/g, 'kept').replace(/^\s*replicas: 3\n/m, '');
    expect(manifest).not.toContain('replicas');
    const path = '/apis/apps/v1/namespaces/default/deployments/kept';
    type Deployment = { spec: { replicas: number; paused?: boolean; template: { spec: { containers: { image: string }[] } } } };
    expect((await gw.request<ApplyResult>('POST', '/apply', { body: manifest, contentType: yaml })).body.items[0].action).toBe('created');
    expect((await gw.request<Deployment>('GET', path)).body.spec.replicas).toBe(1);
    const merge = 'application/merge-patch+json';
    expect((await gw.request('PATCH', `${path}/scale`, { body: { spec: { replicas: 4 } }, contentType: merge })).status).toBe(200);
    expect((await gw.request('PATCH', path, { body: { spec: { paused: true } }, contentType: merge })).status).toBe(200);

    const again = await gw.request<ApplyResult>('POST', '/apply', { body: manifest, contentType: yaml });
    expect(again.body.items[0].action).toBe('unchanged');
    const updated = await gw.request<ApplyResult>('POST', '/apply', { body: manifest.replace('nginx:latest', 'nginx:1.27'), contentType: yaml });
    expect(updated.body.items[0].action).toBe('configured');
    const live = (await gw.request<Deployment>('GET', path)).body;
    expect(live.spec).toMatchObject({ replicas: 4, paused: true });
    expect(live.spec.template.spec.containers[0].image).toBe('nginx:1.27');
    // A manifest that names them wins, as before.
    const named = manifest.replace('nginx:latest', 'nginx:1.27').replace('spec:\n', 'spec:\n  replicas: 2\n  paused: false\n');
    expect((await gw.request<ApplyResult>('POST', '/apply', { body: named, contentType: yaml })).body.items[0].action).toBe('configured');
    expect((await gw.request<Deployment>('GET', path)).body.spec).toMatchObject({ replicas: 2, paused: false });
    const types = (await gw.db.store.readStream('deployment:default/kept')).map((e) => e.type);
    expect(types).toEqual(['DeploymentCreated', 'DeploymentScaled', 'DeploymentPaused', 'DeploymentUpdated', 'DeploymentScaled', 'DeploymentResumed']);
  });

  it('applies the same object twice in one request (created, then configured) and answers once every object is readable', async () => {
    const doc = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: twice}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: twice}}
  template:
    metadata: {labels: {app: twice}}
    spec: {containers: [{name: web, image: 'nginx:latest'}]}
`;
    const others = Array.from({ length: 5 }, (_, i) => doc(1).replace(/twice/g, `many-${i}`));
    const result = await gw.request<ApplyResult>('POST', '/apply', { body: [doc(1), ...others, doc(4)].join('---\n'), contentType: yaml });
    expect(result.status).toBe(200);
    expect(result.body.items.map((i) => [i.name, i.action])).toEqual([['twice', 'created'], ...others.map((_, i) => [`many-${i}`, 'created']), ['twice', 'configured']]);
    // No wait needed: the answer came once the read model held every object.
    const list = await gw.request<{ items: { metadata: { name: string } }[] }>('GET', '/apis/apps/v1/namespaces/default/deployments');
    expect(list.body.items.map((d) => d.metadata.name)).toEqual(expect.arrayContaining(['twice', 'many-0', 'many-4']));
    const twice = await gw.request<{ spec: { replicas: number } }>('GET', '/apis/apps/v1/namespaces/default/deployments/twice');
    expect(twice.body.spec.replicas).toBe(4);
  });

  it('appends nothing with dryRun=All, and answers 400/422 when nothing could be parsed', async () => {
    const head = await gw.head();
    const dry = await gw.request<ApplyResult>('POST', '/apply?dryRun=All', { body: NGINX.replace(/nginx-/g, 'dry-'), contentType: yaml });
    expect(dry.body.items.map((i) => i.action)).toEqual(['created', 'created']);
    expect(await gw.head()).toBe(head);
    expect((await gw.request('POST', '/apply', { body: '- just\n- a list\n', contentType: yaml })).status).toBe(400);
    expect((await gw.request('POST', '/apply', { body: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'from-json' } }] }) })).status).toBe(200);
    expect(await gw.head()).toBe(head + 1);
  });
});
