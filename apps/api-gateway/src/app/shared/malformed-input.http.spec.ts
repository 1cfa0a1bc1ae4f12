import { deploymentManifest, RequestOptions, startTestGateway, TestGateway } from '../gateway-test.fixture';

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const SERVICES = '/api/v1/namespaces/default/services';
const HPAS = '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers';
const MAX_BODY = 64 * 1024;

interface Loose {
  metadata: Record<string, unknown>;
  spec: Record<string, unknown> & { template: { spec: { containers: Record<string, unknown>[] } } };
}

function deployment(change: (d: Loose) => void): Loose {
  const d = structuredClone(deploymentManifest('bad')) as unknown as Loose;
  change(d);
  return d;
}

const service = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec });
const hpa = (spec: Record<string, unknown>) => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'auto' }, spec });
const billionLaughs = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
  'kind: Deployment',
  'apiVersion: apps/v1',
].join('\n');

interface BadInput {
  name: string;
  method: string;
  path: string;
  options: RequestOptions;
  status: number;
  /** A field the Status must name (details.causes[].field). */
  field?: string;
}

const patchOf = (body: unknown, contentType = 'application/merge-patch+json'): RequestOptions => ({ body, contentType });

const CASES: BadInput[] = [
  { name: 'missing selector', method: 'POST', path: DEPLOYMENTS, options: { body: deployment((d) => delete d.spec['selector']) }, status: 422, field: 'spec.selector' },
  { name: 'missing image', method: 'POST', path: DEPLOYMENTS, options: { body: deployment((d) => delete d.spec.template.spec.containers[0]['image']) }, status: 422, field: 'spec.template.spec.containers[0].image' },
  { name: 'replicas of the wrong type', method: 'POST', path: DEPLOYMENTS, options: { body: deployment((d) => (d.spec['replicas'] = 'three')) }, status: 422, field: 'spec.replicas' },
  { name: 'negative replicas', method: 'POST', path: DEPLOYMENTS, options: { body: deployment((d) => (d.spec['replicas'] = -1)) }, status: 422, field: 'spec.replicas' },
  { name: 'a name with capitals and underscores', method: 'POST', path: DEPLOYMENTS, options: { body: deployment((d) => (d.metadata['name'] = 'Web_App')) }, status: 422, field: 'metadata.name' },
  { name: 'a name of 300 characters', method: 'POST', path: DEPLOYMENTS, options: { body: deployment((d) => (d.metadata['name'] = 'a'.repeat(300))) }, status: 422, field: 'metadata.name' },
  { name: 'no name', method: 'POST', path: DEPLOYMENTS, options: { body: deployment((d) => delete d.metadata['name']) }, status: 422, field: 'metadata.name' },
  {
    name: 'a selector operator that does not exist',
    method: 'POST',
    path: DEPLOYMENTS,
    options: { body: deployment((d) => (d.spec['selector'] = { matchExpressions: [{ key: 'app', operator: 'Has', values: ['x'] }] })) },
    status: 422,
    field: 'spec.selector.matchExpressions[0].operator',
  },
  {
    name: 'a selector that does not match the template',
    method: 'POST',
    path: DEPLOYMENTS,
    options: { body: deployment((d) => (d.spec['selector'] = { matchLabels: { app: 'other' } })) },
    status: 422,
    field: 'spec.template.metadata.labels',
  },
  { name: 'an invalid label value', method: 'POST', path: DEPLOYMENTS, options: { body: deployment((d) => (d.metadata['labels'] = { app: 'no spaces allowed' })) }, status: 422, field: 'metadata.labels' },
  {
    name: 'a container port out of range',
    method: 'POST',
    path: DEPLOYMENTS,
    options: { body: deployment((d) => (d.spec.template.spec.containers[0]['ports'] = [{ containerPort: 70000 }])) },
    status: 422,
    field: 'spec.template.spec.containers[0].ports[0].containerPort',
  },
  {
    name: 'a cpu limit that is not a quantity',
    method: 'POST',
    path: DEPLOYMENTS,
    options: { body: deployment((d) => (d.spec.template.spec.containers[0]['resources'] = { limits: { cpu: 'lots' } })) },
    status: 422,
    field: 'spec.template.spec.containers[0].resources.limits[cpu]',
  },
  {
    name: 'two containers with one name',
    method: 'POST',
    path: DEPLOYMENTS,
    options: { body: deployment((d) => d.spec.template.spec.containers.push({ name: 'web', image: 'x' })) },
    status: 422,
    field: 'spec.template.spec.containers[1].name',
  },
  { name: 'an unknown kind', method: 'POST', path: DEPLOYMENTS, options: { body: { apiVersion: 'apps/v1', kind: 'Widget', metadata: { name: 'w' } } }, status: 400 },
  { name: 'a kind in the wrong apiVersion', method: 'POST', path: DEPLOYMENTS, options: { body: { ...deploymentManifest('x'), apiVersion: 'v1' } }, status: 400 },
  { name: 'a Service posted as a Deployment', method: 'POST', path: DEPLOYMENTS, options: { body: service({ ports: [{ port: 80 }] }) }, status: 400 },
  { name: 'a namespace that differs from the URL', method: 'POST', path: DEPLOYMENTS, options: { body: deploymentManifest('x', { namespace: 'other' }) }, status: 400 },
  { name: 'a namespace that does not exist', method: 'POST', path: '/apis/apps/v1/namespaces/nowhere/deployments', options: { body: deploymentManifest('x') }, status: 404 },
  { name: 'a YAML alias bomb', method: 'POST', path: DEPLOYMENTS, options: { body: billionLaughs, contentType: 'application/yaml' }, status: 400 },
  { name: 'two YAML documents for one object', method: 'POST', path: DEPLOYMENTS, options: { body: 'kind: A\n---\nkind: B\n', contentType: 'application/yaml' }, status: 400 },
  { name: 'JSON nested 200 deep', method: 'POST', path: DEPLOYMENTS, options: { body: `${'{"a":'.repeat(200)}1${'}'.repeat(200)}` }, status: 400 },
  { name: 'a body over MAX_BODY_BYTES', method: 'POST', path: DEPLOYMENTS, options: { body: JSON.stringify({ pad: 'x'.repeat(MAX_BODY + 10) }) }, status: 413 },
  { name: 'malformed JSON', method: 'POST', path: DEPLOYMENTS, options: { body: '{"apiVersion": "apps/v1",' }, status: 400 },
  { name: 'a text/plain body', method: 'POST', path: DEPLOYMENTS, options: { body: JSON.stringify(deploymentManifest('x')), contentType: 'text/plain' }, status: 415 },
  { name: 'a body without content type', method: 'POST', path: DEPLOYMENTS, options: { body: JSON.stringify(deploymentManifest('x')), contentType: '' }, status: 415 },
  { name: 'an empty body', method: 'POST', path: DEPLOYMENTS, options: { contentType: 'application/json' }, status: 400 },
  { name: 'a JSON array', method: 'POST', path: DEPLOYMENTS, options: { body: '[1,2]' }, status: 400 },
  { name: 'JSON null', method: 'POST', path: DEPLOYMENTS, options: { body: 'null' }, status: 400 },
  { name: 'a Service without ports', method: 'POST', path: SERVICES, options: { body: service({ selector: { app: 'x' } }) }, status: 422, field: 'spec.ports' },
  { name: 'a Service type that does not exist', method: 'POST', path: SERVICES, options: { body: service({ type: 'Magic', ports: [{ port: 80 }] }) }, status: 422, field: 'spec.type' },
  {
    name: 'an HPA whose maximum is below its minimum',
    method: 'POST',
    path: HPAS,
    options: { body: hpa({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 5, maxReplicas: 2 }) },
    status: 422,
    field: 'spec.maxReplicas',
  },
  { name: 'a namespace with a bad name', method: 'POST', path: '/api/v1/namespaces', options: { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'No.Dots' } } }, status: 422, field: 'metadata.name' },
  { name: 'a merge patch that is not JSON', method: 'PATCH', path: `${DEPLOYMENTS}/target`, options: patchOf('{spec:'), status: 400 },
  { name: 'a JSON patch that is not a list', method: 'PATCH', path: `${DEPLOYMENTS}/target`, options: patchOf({ op: 'add' }, 'application/json-patch+json'), status: 400 },
  { name: 'a JSON patch with an unknown op', method: 'PATCH', path: `${DEPLOYMENTS}/target`, options: patchOf([{ op: 'frob', path: '/spec' }], 'application/json-patch+json'), status: 400 },
  { name: 'a JSON patch whose test fails', method: 'PATCH', path: `${DEPLOYMENTS}/target`, options: patchOf([{ op: 'test', path: '/spec/replicas', value: 99 }], 'application/json-patch+json'), status: 422 },
  { name: 'a JSON patch on a missing path', method: 'PATCH', path: `${DEPLOYMENTS}/target`, options: patchOf([{ op: 'replace', path: '/spec/nope/deeper', value: 1 }], 'application/json-patch+json'), status: 422 },
  { name: 'a patch sent as application/json', method: 'PATCH', path: `${DEPLOYMENTS}/target`, options: patchOf({ spec: { replicas: 2 } }, 'application/json'), status: 415 },
  { name: 'a patch to negative replicas', method: 'PATCH', path: `${DEPLOYMENTS}/target`, options: patchOf({ spec: { replicas: -3 } }), status: 422, field: 'spec.replicas' },
  { name: 'a patch that renames the object', method: 'PATCH', path: `${DEPLOYMENTS}/target`, options: patchOf({ metadata: { name: 'renamed' } }), status: 400 },
  { name: 'a stale resourceVersion', method: 'PUT', path: `${DEPLOYMENTS}/target`, options: { body: { ...deploymentManifest('target'), metadata: { name: 'target', resourceVersion: '1' } } }, status: 409 },
  {
    name: 'a Scale with negative replicas',
    method: 'PUT',
    path: `${DEPLOYMENTS}/target/scale`,
    options: { body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'target' }, spec: { replicas: -1 } } },
    status: 422,
    field: 'spec.replicas',
  },
  { name: 'a rollback to a revision that is not a number', method: 'POST', path: `${DEPLOYMENTS}/target/rollback`, options: { body: { toRevision: 'x' } }, status: 422, field: 'toRevision' },
  { name: 'a label selector that does not parse', method: 'GET', path: `${DEPLOYMENTS}?labelSelector=${encodeURIComponent('app in (a')}`, options: {}, status: 400 },
  { name: 'a negative limit', method: 'GET', path: `${DEPLOYMENTS}?limit=-1`, options: {}, status: 400 },
  { name: 'a field selector on an unsupported field', method: 'GET', path: `${DEPLOYMENTS}?fieldSelector=spec.replicas%3D1`, options: {}, status: 400 },
  { name: 'a continue token this server did not make', method: 'GET', path: `${DEPLOYMENTS}?limit=1&continue=garbage`, options: {}, status: 400 },
  { name: 'an apply body that is not YAML', method: 'POST', path: '/apply', options: { body: 'kind: [unclosed', contentType: 'application/yaml' }, status: 400 },
  { name: 'an apply body over the limit', method: 'POST', path: '/apply', options: { body: `kind: List\npad: ${'x'.repeat(MAX_BODY + 10)}\n`, contentType: 'application/yaml' }, status: 413 },
  { name: 'an apply of a YAML bomb', method: 'POST', path: '/apply', options: { body: billionLaughs, contentType: 'application/yaml' }, status: 400 },
  { name: 'logs of a pod that does not exist', method: 'GET', path: '/api/v1/namespaces/default/pods/nope/log?tailLines=abc', options: {}, status: 404 },
  { name: 'an unknown route', method: 'GET', path: '/api/v1/widgets', options: {}, status: 404 },
];

describe('malformed input: the right status and field, never a 500, nothing appended', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('gwbad', { MAX_BODY_BYTES: String(MAX_BODY) });
    expect((await gw.request('POST', DEPLOYMENTS, { body: deploymentManifest('target') })).status).toBe(201);
  });
  afterAll(async () => {
    await gw.close();
  });

  it('has at least 30 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, input) => {
    const head = await gw.head();
    const answer = await gw.request<{ kind: string; code: number; reason: string; details?: { causes?: { field?: string }[] } }>(input.method, input.path, input.options);
    expect(answer.status).toBe(input.status);
    expect(answer.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: input.status });
    if (input.field) expect(answer.body.details?.causes?.map((c) => c.field)).toContain(input.field);
    expect(await gw.head()).toBe(head);
  });
});
