import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { startTestGateway, TestGateway } from '../gateway-test.fixture';
import { swaggerUiDirectory } from './swagger-ui.assets';

interface Operation {
  operationId: string;
  parameters: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  requestBody?: { content: Record<string, { schema?: unknown }> };
}
interface OpenApi {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

/** Every `$ref` anywhere in a value. */
function refsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsOf);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => (key === '$ref' && typeof v === 'string' ? [v] : refsOf(v)));
}

/** Swagger UI at /docs, served by a real gateway with authentication on (no anonymous access). */
describe('Swagger UI at /docs', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('swaggerui', { ANONYMOUS: 'false' });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('serves the page without a token, with a policy that keeps it on this host', async () => {
    for (const path of ['/docs', '/docs/']) {
      const page = await gw.request('GET', path);
      expect([path, page.status]).toEqual([path, 200]);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.text).toContain('<div id="swagger-ui"></div>');
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
      // Every asset the page loads is the gateway's own.
      expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
    // Sanity check of the setup: the API itself does need a token.
    expect((await gw.request('GET', '/api/v1/namespaces')).status).toBe(401);
  });

  it('serves every file the page references, locally, with the right content type and no token', async () => {
    const page = await gw.request('GET', '/docs');
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((url) => url !== '/openapi.json');
    expect(assets).toEqual(
      expect.arrayContaining(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/swagger-ui-standalone-preset.js', '/docs/swagger-initializer.js']),
    );
    const types: Record<string, RegExp> = { js: /^(text|application)\/javascript/, css: /^text\/css/, png: /^image\/png/ };
    for (const asset of assets) {
      const answer = await fetch(`${gw.url}${asset}`);
      expect([asset, answer.status]).toEqual([asset, 200]);
      const extension = asset.split('.').pop() ?? '';
      expect([asset, answer.headers.get('content-type')]).toEqual([asset, expect.stringMatching(types[extension])]);
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      await answer.arrayBuffer();
    }
  });

  it('serves the bundle byte for byte from swagger-ui-dist, with validators for caching', async () => {
    const onDisk = readFileSync(join(swaggerUiDirectory(), 'swagger-ui-bundle.js'));
    const answer = await fetch(`${gw.url}/docs/swagger-ui-bundle.js`);
    expect(answer.headers.get('content-type')).toMatch(/javascript/);
    expect(Buffer.from(await answer.arrayBuffer()).equals(onDisk)).toBe(true);
    const etag = answer.headers.get('etag');
    expect(etag).toBeTruthy();
    // node:http, not fetch: fetch marks a request with If-None-Match as no-cache.
    const revalidated = await new Promise<number | undefined>((resolve, reject) => {
      get(`${gw.url}/docs/swagger-ui-bundle.js`, { headers: { 'If-None-Match': etag ?? '' } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).on('error', reject);
    });
    expect(revalidated).toBe(304);
  });

  it("points the UI at this gateway's /openapi.json, never at the Petstore or the public validator", async () => {
    const initializer = await gw.request('GET', '/docs/swagger-initializer.js');
    expect(initializer.status).toBe(200);
    expect(initializer.headers.get('content-type')).toMatch(/javascript/);
    expect(initializer.text).toContain('url: "/openapi.json"');
    expect(initializer.text).toContain('validatorUrl: null');
    expect(initializer.text).not.toMatch(/petstore|https?:/);
    // The package's own page (which loads the Petstore) is not reachable.
    const index = await fetch(`${gw.url}/docs/index.html`, { redirect: 'manual' });
    expect(index.status).toBe(301);
    expect(index.headers.get('location')).toBe('/docs');
  });

  it('answers an unknown file under /docs with a 404 Status, and does not serve outside the package', async () => {
    const missing = await gw.request<{ kind: string; code: number }>('GET', '/docs/nope.js');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ kind: 'Status', code: 404 });
    const escape = await gw.request('GET', '/docs/..%2f..%2fpackage.json');
    expect([403, 404]).toContain(escape.status);
    expect(escape.text).not.toContain('"dependencies"');
  });

  it('serves an OpenAPI 3 document without a token, with paths for every resource and only resolvable references', async () => {
    const answer = await gw.request<OpenApi>('GET', '/openapi.json');
    expect(answer.status).toBe(200);
    const document = answer.body;
    expect(document.openapi).toMatch(/^3\.0\.\d$/);
    expect(document.info.title).toBe('Berth API');
    const paths = Object.keys(document.paths);
    const resources = [
      '/api/v1/namespaces',
      '/api/v1/nodes',
      '/api/v1/namespaces/{namespace}/pods',
      '/api/v1/namespaces/{namespace}/pods/{name}/log',
      '/api/v1/namespaces/{namespace}/services',
      '/api/v1/namespaces/{namespace}/events',
      '/apis/apps/v1/namespaces/{namespace}/deployments',
      '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale',
      '/apis/autoscaling/v2/namespaces/{namespace}/horizontalpodautoscalers',
      '/apis/metrics.k8s.io/v1beta1/nodes',
      '/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods',
      '/apply',
    ];
    for (const path of resources) expect(paths).toContain(path);
    for (const collection of resources.filter((p) => /\/(services|deployments|horizontalpodautoscalers)$/.test(p))) {
      expect(Object.keys(document.paths[collection]).sort()).toEqual(['get', 'post']);
      expect(Object.keys(document.paths[`${collection}/{name}`]).sort()).toEqual(['delete', 'get', 'patch', 'put']);
    }
    const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.values(methods).map((operation) => ({ path, operation })));
    expect(new Set(operations.map((o) => o.operation.operationId)).size).toBe(operations.length);
    for (const { path, operation } of operations) {
      // Every {param} of the path is declared as a required path parameter.
      const declared = operation.parameters.filter((p) => p.in === 'path').map((p) => p.name);
      expect([path, declared.sort()]).toEqual([path, [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()]);
    }
    for (const ref of refsOf(document)) {
      const name = ref.replace('#/components/schemas/', '');
      expect([ref, name in document.components.schemas]).toEqual([ref, true]);
    }
    expect(document.components.securitySchemes).toHaveProperty('bearer');
  });
});
