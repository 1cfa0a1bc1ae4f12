import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer, kubeStatus, sendJson } from './testing/fake-api.fixture';
import { runBerth } from './testing/run-cli.fixture';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: nginx
          image: nginx:latest
          ports: [{ containerPort: 80 }]
`;
const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: LoadBalancer
  selector: { app: web }
  ports: [{ port: 80 }]
`;

function workdir(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'berth-apply-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** Answers /apply like the contract: one item per document, action chosen by the test. */
function applyAnswer(actions: Record<string, string>, extra: Record<string, unknown> = {}) {
  return (body: string) => {
    const items = [...body.matchAll(/kind: (\w+)\n(?:.*\n)*?\s+name: ([\w-]+)/g)].map(([, kind, name]) => ({
      kind,
      apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1',
      namespace: 'default',
      name,
      action: actions[`${kind}/${name}`] ?? 'created',
      warnings: [],
      ...(extra[`${kind}/${name}`] as object),
    }));
    return { kind: 'ApplyResult', items };
  };
}

describe('berth apply (against a fake gateway)', () => {
  let api: FakeApiServer;
  beforeAll(async () => {
    api = await FakeApiServer.start();
  });
  afterAll(() => api.close());
  beforeEach(() => api.reset());

  it('sends a multi-document file as YAML to POST /apply and prints one line per object', async () => {
    const answer = applyAnswer({ 'Service/web': 'unchanged' });
    api.on('POST', '/apply', (req, res) => sendJson(res, 200, answer(req.body)));
    const cwd = workdir({ 'web.yaml': `${DEPLOYMENT}---\n${SERVICE}` });
    const result = await runBerth(['apply', '-f', 'web.yaml'], { server: api.url, cwd });
    expect(result).toEqual({ code: 0, stdout: 'deployment.apps/web created\nservice/web unchanged\n', stderr: '' });
    const [request] = api.sent('POST', '/apply');
    expect(request.headers['content-type']).toBe('application/yaml');
    expect(request.body).toBe(`${DEPLOYMENT}---\n${SERVICE}`);
    expect(request.query.get('namespace')).toBe('default');
    expect(request.query.has('dryRun')).toBe(false);
    expect(request.headers['authorization']).toBeUndefined();
  });

  it('applies a folder recursively, file by file in sorted order, JSON as JSON', async () => {
    const answer = applyAnswer({});
    api.on('POST', '/apply', (req, res) =>
      sendJson(res, 200, req.headers['content-type'] === 'application/json' ? { kind: 'ApplyResult', items: [{ kind: 'Namespace', apiVersion: 'v1', name: 'team-a', action: 'configured' }] } : answer(req.body)),
    );
    const cwd = workdir({
      'k8s/2-web.yaml': DEPLOYMENT,
      'k8s/sub/3-svc.yml': SERVICE,
      'k8s/1-ns.json': JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }),
      'k8s/notes.md': 'not a manifest',
    });
    const result = await runBerth(['apply', '-f', 'k8s', '-n', 'team-a'], { server: api.url, cwd });
    expect(result.stdout).toBe('namespace/team-a configured\ndeployment.apps/web created\nservice/web created\n');
    expect(result.code).toBe(0);
    const requests = api.sent('POST', '/apply');
    expect(requests.map((r) => r.headers['content-type'])).toEqual(['application/json', 'application/yaml', 'application/yaml']);
    expect(requests.every((r) => r.query.get('namespace') === 'team-a')).toBe(true);
  });

  it('reads stdin with -f - and passes --dry-run=server as dryRun=All', async () => {
    const answer = applyAnswer({});
    api.on('POST', '/apply', (req, res) => sendJson(res, 200, answer(req.body)));
    const result = await runBerth(['apply', '-f', '-', '--dry-run=server'], { server: api.url, stdin: DEPLOYMENT });
    expect(result.stdout).toBe('deployment.apps/web created (server dry run)\n');
    expect(api.sent('POST', '/apply')[0].query.get('dryRun')).toBe('All');
  });

  it('prints a failed object with its Status and field paths, applies the rest, and exits 1', async () => {
    const causes = [
      { reason: 'FieldValueRequired', field: 'spec.template.spec.containers[0].image', message: 'spec.template.spec.containers[0].image: Required value' },
      { reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'spec.replicas: Invalid value: -1: must be greater than or equal to 0' },
    ];
    const invalid = kubeStatus(422, 'Invalid', `Deployment.apps "web" is invalid: [${causes.map((c) => c.message).join(', ')}]`, causes);
    const answer = applyAnswer({ 'Deployment/web': 'failed' }, { 'Deployment/web': { status: invalid }, 'Service/web': { warnings: ['unknown field "spec.foo"'] } });
    api.on('POST', '/apply', (req, res) => sendJson(res, 207, answer(req.body)));
    const cwd = workdir({ 'web.yaml': `${DEPLOYMENT}---\n${SERVICE}` });
    const result = await runBerth(['apply', '-f', 'web.yaml'], { server: api.url, cwd });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('service/web created\n');
    expect(result.stderr).toBe(
      [
        `Error from server (Invalid): error when applying "web.yaml": ${invalid.message}`,
        '  * spec.template.spec.containers[0].image: Required value',
        '  * spec.replicas: Invalid value: -1: must be greater than or equal to 0',
        'Warning: unknown field "spec.foo"',
        '',
      ].join('\n'),
    );
  });

  it('reports a whole-body rejection (413) for that file and exits 1', async () => {
    api.json('POST', '/apply', kubeStatus(413, 'RequestEntityTooLarge', 'request body too large: 4194304 bytes, limit 3145728'), 413);
    const result = await runBerth(['apply', '-f', '-'], { server: api.url, stdin: DEPLOYMENT });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Error from server (RequestEntityTooLarge): error when applying "-": request body too large: 4194304 bytes, limit 3145728\n');
  });

  it('gives early local errors for malformed YAML and sends nothing', async () => {
    const cwd = workdir({ 'a.yaml': DEPLOYMENT, 'b.yaml': `${SERVICE}---\nkind: [unclosed\n` });
    const result = await runBerth(['apply', '-f', 'a.yaml', '-f', 'b.yaml'], { server: api.url, cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: error parsing b\.yaml: document\[1\] \(line \d+\): /);
    expect(api.requests).toHaveLength(0);
  });

  it('refuses to run without -f, with nothing to apply, and with an unknown dry-run strategy', async () => {
    expect((await runBerth(['apply'], { server: api.url })).stderr).toContain('must specify one of -f');
    expect(await runBerth(['apply', '-f', '-'], { server: api.url, stdin: '# nothing\n' })).toMatchObject({ code: 1, stderr: 'error: no objects passed to apply\n' });
    expect((await runBerth(['apply', '-f', '-', '--dry-run=client'], { server: api.url, stdin: DEPLOYMENT })).stderr).toContain('invalid --dry-run "client"');
    expect(api.requests).toHaveLength(0);
  });
});
