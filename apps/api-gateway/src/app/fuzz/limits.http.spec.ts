import { request as httpRequest } from 'node:http';
import { DEFAULT_FIELD_LIST_LIMITS, DEFAULT_MANIFEST_LIMITS } from '@berth/manifests';
import { deploymentManifest, HttpAnswer, RequestOptions, startTestGateway, TestGateway } from '../gateway-test.fixture';
import { MAX_WARNINGS_BYTES } from '../shared/api-reply.interceptor';
import { copyBomb } from './hostile-input.fixture';

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const SERVICES = '/api/v1/namespaces/default/services';
const HPAS = '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers';
const MiB = 1024 * 1024;

interface StatusBody {
  kind: string;
  code: number;
  reason: string;
  message: string;
  details?: { causes?: { field?: string; message?: string }[] };
}

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function deployment(change: (d: Loose) => void, name = 'limits'): Loose {
  const d = structuredClone(deploymentManifest(name)) as Loose;
  change(d);
  return d;
}

const container = (d: Loose): Loose => d['spec']['template']['spec']['containers'][0];
const many = <T,>(n: number, item: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => item(i));
const service = (name: string, spec: Loose) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });
const hpa = (spec: Loose) => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'limits' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'limits' }, minReplicas: 1, maxReplicas: 3, ...spec },
});

/**
 * The explicit limits on hostile input, each at its edge: what is refused is refused with the
 * right status and field, and appends nothing; what is just inside the limit is taken.
 */
describe('limits on request size and shape', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('gwlimits');
    expect((await gw.request('POST', DEPLOYMENTS, { body: deploymentManifest('target') })).status).toBe(201);
  });
  afterAll(async () => {
    await gw.close();
  });

  /** Sends a request that must be refused with `code` (naming `field`, if given) and append nothing. */
  async function refused(method: string, path: string, options: RequestOptions, code: number, field?: string): Promise<HttpAnswer<StatusBody>> {
    const head = await gw.head();
    const answer = await gw.request<StatusBody>(method, path, options);
    expect({ status: answer.status, message: answer.body?.message }).toMatchObject({ status: code });
    expect(answer.body).toMatchObject({ kind: 'Status', code });
    if (field) expect(answer.body.details?.causes?.map((c) => c.field)).toContain(field);
    expect(await gw.head()).toBe(head);
    return answer;
  }

  describe('body size: 413 above MAX_BODY_BYTES (3 MiB by default)', () => {
    it.each([
      ['JSON create', 'POST', DEPLOYMENTS, 'application/json'],
      ['YAML create', 'POST', DEPLOYMENTS, 'application/yaml'],
      ['apply', 'POST', '/apply', 'application/yaml'],
      ['merge patch', 'PATCH', `${DEPLOYMENTS}/target`, 'application/merge-patch+json'],
    ])('%s', async (_name, method, path, contentType) => {
      const body = JSON.stringify({ ...deploymentManifest('big'), pad: 'x'.repeat(3 * MiB) });
      const answer = await refused(method, path, { body, contentType }, 413);
      expect(answer.body.reason).toBe('RequestEntityTooLarge');
    });

    it('takes a body just under the limit', async () => {
      const body = deployment((d) => (d['metadata']['annotations'] = { pad: 'x'.repeat(200 * 1024) }), 'big-but-fine');
      expect((await gw.request('POST', DEPLOYMENTS, { body })).status).toBe(201);
    });
  });

  describe('YAML', () => {
    it('refuses an alias bomb (more than 100 alias expansions) with 400', async () => {
      const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...many(6, (i) => `${'bcdefg'[i]}: &${'bcdefg'[i]} [${many(10, () => `*${'abcdef'[i]}`).join(', ')}]`)];
      const body = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bomb\n${levels.join('\n')}\n`;
      const answer = await refused('POST', DEPLOYMENTS, { body, contentType: 'application/yaml' }, 400);
      expect(answer.body.message).toMatch(/too many aliases/);
    });

    it('refuses nesting deeper than 64 levels with 400, without overflowing the stack', async () => {
      await refused('POST', DEPLOYMENTS, { body: `kind: Deployment\nspec: ${'['.repeat(100_000)}`, contentType: 'application/yaml' }, 400);
      await refused('POST', DEPLOYMENTS, { body: `${'{"a":'.repeat(65)}1${'}'.repeat(65)}` }, 400);
    });

    it(`refuses more than ${DEFAULT_MANIFEST_LIMITS.maxDocuments} documents in one apply`, async () => {
      const body = many(DEFAULT_MANIFEST_LIMITS.maxDocuments + 1, (i) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns${i}\n`).join('---\n');
      await refused('POST', '/apply', { body, contentType: 'application/yaml' }, 400);
    });
  });

  describe('list lengths: 422 naming the list', () => {
    const cases: [string, string, unknown, string][] = [
      ['containers', DEPLOYMENTS, deployment((d) => (d['spec']['template']['spec']['containers'] = many(65, (i) => ({ name: `c${i}`, image: 'nginx:1.27' })))), 'spec.template.spec.containers'],
      ['container ports', DEPLOYMENTS, deployment((d) => (container(d)['ports'] = many(257, (i) => ({ containerPort: i + 1 })))), 'spec.template.spec.containers[0].ports'],
      ['env', DEPLOYMENTS, deployment((d) => (container(d)['env'] = many(1025, (i) => ({ name: `E${i}`, value: 'v' })))), 'spec.template.spec.containers[0].env'],
      ['command', DEPLOYMENTS, deployment((d) => (container(d)['command'] = many(1025, () => 'x'))), 'spec.template.spec.containers[0].command'],
      ['args', DEPLOYMENTS, deployment((d) => (container(d)['args'] = many(1025, () => 'x'))), 'spec.template.spec.containers[0].args'],
      ['tolerations', DEPLOYMENTS, deployment((d) => (d['spec']['template']['spec']['tolerations'] = many(257, () => ({ operator: 'Exists' })))), 'spec.template.spec.tolerations'],
      ['service ports', SERVICES, service('svc', { selector: { app: 'x' }, ports: many(257, (i) => ({ name: `p${i}`, port: i + 1 })) }), 'spec.ports'],
      ['HPA metrics', HPAS, hpa({ metrics: many(65, () => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } })) }), 'spec.metrics'],
      ['any other list (10,000)', DEPLOYMENTS, deployment((d) => (d['spec']['selector'] = { matchLabels: { app: 'limits' }, matchExpressions: many(10_001, () => ({ key: 'a', operator: 'Exists' })) })), 'spec.selector.matchExpressions'],
    ];

    it.each(cases)('%s', async (_name, path, body, field) => {
      const answer = await refused('POST', path, { body }, 422, field);
      expect(answer.body.message).toMatch(/Too many: \d+: must have at most \d+ items/);
    });

    it('matches the documented table', () => {
      expect(DEFAULT_FIELD_LIST_LIMITS).toMatchObject({
        'spec.template.spec.containers': 64,
        'spec.template.spec.containers[*].ports': 256,
        'spec.template.spec.containers[*].env': 1_024,
        'spec.ports': 256,
      });
      expect(DEFAULT_MANIFEST_LIMITS.maxListLength).toBe(10_000);
    });

    it('takes a list at its limit', async () => {
      const body = deployment((d) => (container(d)['env'] = many(1024, (i) => ({ name: `E${i}`, value: 'v' }))), 'env-at-limit');
      expect((await gw.request('POST', DEPLOYMENTS, { body })).status).toBe(201);
    });

    it('checks the object a patch produces, not only the patch', async () => {
      const labels = Object.fromEntries(many(60, (i) => [`l${i}`, 'v']));
      expect((await gw.request('POST', DEPLOYMENTS, { body: deployment((d) => (d['metadata']['labels'] = labels), 'patched') })).status).toBe(201);
      const more = { metadata: { labels: Object.fromEntries(many(10, (i) => [`m${i}`, 'v'])) } };
      await refused('PATCH', `${DEPLOYMENTS}/patched`, { body: more, contentType: 'application/merge-patch+json' }, 422, 'metadata.labels');
    });
  });

  describe('names and label sizes, as Kubernetes has them', () => {
    const cases: [string, string, unknown, string][] = [
      ['a Deployment name of 254 bytes (DNS subdomain: 253)', DEPLOYMENTS, deployment((d) => (d['metadata']['name'] = 'a'.repeat(254))), 'metadata.name'],
      ['a Service name of 64 (DNS label: 63)', SERVICES, service('a'.repeat(64), { selector: { app: 'x' }, ports: [{ port: 80 }] }), 'metadata.name'],
      ['a Namespace name of 64', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a'.repeat(64) } }, 'metadata.name'],
      ['a container name of 64', DEPLOYMENTS, deployment((d) => (container(d)['name'] = 'c'.repeat(64))), 'spec.template.spec.containers[0].name'],
      ['a label value of 64', DEPLOYMENTS, deployment((d) => (d['metadata']['labels'] = { app: 'v'.repeat(64) })), 'metadata.labels'],
      ['a label key of 64', DEPLOYMENTS, deployment((d) => (d['metadata']['labels'] = { ['k'.repeat(64)]: 'v' })), 'metadata.labels'],
      ['a label key prefix of 254', DEPLOYMENTS, deployment((d) => (d['metadata']['labels'] = { [`${'p'.repeat(254)}/k`]: 'v' })), 'metadata.labels'],
      ['65 labels', DEPLOYMENTS, deployment((d) => (d['metadata']['labels'] = Object.fromEntries(many(65, (i) => [`l${i}`, 'v'])))), 'metadata.labels'],
      ['65 template labels', DEPLOYMENTS, deployment((d) => Object.assign(d['spec']['template']['metadata']['labels'], Object.fromEntries(many(65, (i) => [`l${i}`, 'v'])))), 'spec.template.metadata.labels'],
      ['257 annotations', DEPLOYMENTS, deployment((d) => (d['metadata']['annotations'] = Object.fromEntries(many(257, (i) => [`a${i}`, 'v'])))), 'metadata.annotations'],
      ['annotations over 256 KiB in all', DEPLOYMENTS, deployment((d) => (d['metadata']['annotations'] = { a: 'x'.repeat(130 * 1024), b: 'y'.repeat(130 * 1024) })), 'metadata.annotations'],
    ];

    it.each(cases)('%s', async (_name, path, body, field) => {
      await refused('POST', path, { body }, 422, field);
    });

    it('takes the longest names', async () => {
      const longest = deployment((d) => (d['metadata']['name'] = 'd'.repeat(253)));
      expect((await gw.request('POST', DEPLOYMENTS, { body: longest })).status).toBe(201);
      expect((await gw.request('POST', SERVICES, { body: service('s'.repeat(63), { selector: { app: 'x' }, ports: [{ port: 80 }] }) })).status).toBe(201);
    });
  });

  describe('NUL characters, which Postgres text cannot hold', () => {
    it.each([
      ['an env value', deployment((d) => (container(d)['env'] = [{ name: 'A', value: 'a\u0000b' }])), 'spec.template.spec.containers[0].env[0].value'],
      ['an annotation', deployment((d) => (d['metadata']['annotations'] = { note: '\u0000' })), 'metadata.annotations.note'],
      ['an unknown field name', deployment((d) => (d['spec']['x\u0000'] = 1)), 'spec.x\u0000'],
    ])('in %s: 422 naming the field', async (_name, body, field) => {
      await refused('POST', DEPLOYMENTS, { body }, 422, field);
    });

    it('in a YAML escape', async () => {
      await refused('POST', DEPLOYMENTS, { body: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nul\n  annotations:\n    a: "\\0"\n', contentType: 'application/yaml' }, 422, 'metadata.annotations.a');
    });

    it('in the URL: 400', async () => {
      await refused('GET', `${DEPLOYMENTS}/a%00b`, {}, 400);
      await refused('DELETE', '/apis/apps/v1/namespaces/%00/deployments/x', {}, 400);
      await refused('GET', `${DEPLOYMENTS}?labelSelector=a%00`, {}, 400);
    });
  });

  describe('JSON Patch work', () => {
    it('refuses a copy bomb (each copy doubles the object) with 413, quickly', async () => {
      const started = Date.now();
      const answer = await refused('PATCH', `${DEPLOYMENTS}/target`, { body: copyBomb(40), contentType: 'application/json-patch+json' }, 413);
      expect(answer.body.message).toMatch(/copies and compares more than/);
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('refuses more than 10,000 operations with 413', async () => {
      const ops = many(10_001, () => ({ op: 'test', path: '/kind', value: 'Deployment' }));
      await refused('PATCH', `${DEPLOYMENTS}/target`, { body: ops, contentType: 'application/json-patch+json' }, 413);
    });

    it('still applies an ordinary JSON Patch', async () => {
      const ops = [
        { op: 'test', path: '/spec/replicas', value: 2 },
        { op: 'copy', from: '/spec/selector/matchLabels', path: '/spec/template/metadata/labels' },
        { op: 'replace', path: '/spec/replicas', value: 3 },
      ];
      const answer = await gw.request<{ spec: { replicas: number } }>('PATCH', `${DEPLOYMENTS}/target`, { body: ops, contentType: 'application/json-patch+json' });
      expect(answer.status).toBe(200);
      expect(answer.body.spec.replicas).toBe(3);
    });
  });

  describe('HTTP framing', () => {
    /** A request sent as is: fetch would refuse or rewrite these targets and headers. */
    function raw(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; text: string }> {
      const url = new URL(gw.url);
      return new Promise((resolve, reject) => {
        const req = httpRequest({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.end();
      });
    }

    it('answers headers over 16 KiB with a 431 Status', async () => {
      const answer = await raw(DEPLOYMENTS, { 'x-request-id': 'r'.repeat(20_000) });
      expect(answer.status).toBe(431);
      expect(JSON.parse(answer.text)).toMatchObject({ kind: 'Status', code: 431, status: 'Failure' });
    });

    it('answers a target Express cannot route (`//?x#y@z` reads as a host) with a Status, and serves `//api/v1`', async () => {
      const odd = await raw('//?fieldSelector=a#b&c=d@e', {}, 'PROPFIND');
      expect(odd.status).toBe(404);
      expect(JSON.parse(odd.text)).toMatchObject({ kind: 'Status', code: 404 });
      expect((await raw('//api/v1')).status).toBe(200);
      const unparsable = await raw('?x');
      expect(unparsable.status).toBe(400);
      expect(JSON.parse(unparsable.text)).toMatchObject({ kind: 'Status', code: 400 });
      // The same answer to HEAD comes without its body, which the client would misread.
      expect(await raw('?x', {}, 'HEAD')).toEqual({ status: 400, text: '' });
    });

    it('keeps the Warning headers of thousands of unknown fields within 4 KiB', async () => {
      const body = deployment((d) => Object.assign(d['spec'], Object.fromEntries(many(5_000, (i) => [`unknown${i}`, i]))), 'unknown-fields');
      const answer = await gw.request('POST', DEPLOYMENTS, { body });
      expect(answer.status).toBe(201);
      const warnings = answer.headers.get('warning') ?? '';
      expect(warnings).toMatch(/unknown0/);
      expect(warnings).toMatch(/more warnings were left out/);
      expect(warnings.length).toBeLessThan(MAX_WARNINGS_BYTES + 300);
    });
  });
});
