import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, ServiceProcess, startService, TestDatabase, waitForHttp, WORKSPACE_ROOT } from '@berth/testing';

const NGINX = readFileSync(join(WORKSPACE_ROOT, 'libs/manifests/src/fixtures/nginx.yaml'), 'utf8');

/** The gateway as users run it: its own process, a token made the way `berth admin create-token` makes one. */
describe('api-gateway as a process', () => {
  let db: TestDatabase;
  let gateway: ServiceProcess;
  let base: string;
  let token: string;
  const auth = () => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    db = await createTestDatabase('e2egw');
    const id = randomBytes(6).toString('hex');
    token = `berth_${id}_${randomBytes(32).toString('base64url')}`;
    // The CLI's create-token appends this to the log on the control-plane host.
    await db.store.append(`token:${id}`, 'no_stream', [{ type: 'TokenCreated', data: { role: 'admin', hash: createHash('sha256').update(token).digest('hex') } }]);
    gateway = await startService('api-gateway', { DATABASE_URL: db.options.url, DATABASE_SCHEMA: db.options.schema, RELAY_ENABLED: 'false' });
    base = `http://127.0.0.1:${gateway.port}`;
    await waitForHttp(`${base}/healthz`, gateway, 45_000);
  });
  afterAll(async () => {
    await gateway?.stop();
    await db.cleanup();
  });

  it('applies the seed nginx manifests, watches them appear, and serves them back', async () => {
    expect((await fetch(`${base}/apis/apps/v1/namespaces/default/deployments`)).status).toBe(401);
    const start = await db.store.headPosition();
    const abort = new AbortController();
    const watch = await fetch(`${base}/apis/apps/v1/deployments?watch=true&resourceVersion=${start}`, { headers: auth(), signal: abort.signal });
    expect(watch.status).toBe(200);

    const applied = await fetch(`${base}/apply`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/yaml' }, body: NGINX });
    expect(applied.status).toBe(200);
    const result = (await applied.json()) as { items: { kind: string; name: string; action: string }[] };
    expect(result.items.map((i) => `${i.kind}/${i.name} ${i.action}`)).toEqual(['Deployment/nginx-deployment created', 'Service/nginx-service created']);

    const reader = (watch.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('\n')) text += decoder.decode((await reader.read()).value, { stream: true });
    abort.abort();
    const first = JSON.parse(text.slice(0, text.indexOf('\n'))) as { type: string; object: { metadata: { name: string } } };
    expect(first).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'nginx-deployment' } } });

    const deployment = (await (await fetch(`${base}/apis/apps/v1/namespaces/default/deployments/nginx-deployment`, { headers: auth() })).json()) as {
      metadata: { resourceVersion: string };
      spec: { replicas: number };
    };
    expect(deployment.spec.replicas).toBe(3);
    const [created] = await db.store.readStream('deployment:default/nginx-deployment');
    expect(created.metadata.actor).toMatch(/^token:/);
  });

  it('refuses to start with ANONYMOUS set to something that is not a boolean, and names it', async () => {
    const bad = await startService('api-gateway', { DATABASE_URL: db.options.url, DATABASE_SCHEMA: db.options.schema, ANONYMOUS: 'sometimes' });
    expect(await bad.exited).toBe(78);
    expect(bad.output()).toContain('ANONYMOUS:');
  });
});
