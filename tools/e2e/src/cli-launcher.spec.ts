import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The `berth` bin as users run it: tools/bin/berth.js started by node, from a folder outside
 * the repository, talking HTTP to a stand-in for the gateway (the contract's shapes).
 */
const LAUNCHER = resolve(__dirname, '../../bin/berth.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function berth(args: string[], env: Record<string, string>, stdin?: string): Promise<Run> {
  const started = Date.now();
  const cwd = mkdtempSync(join(tmpdir(), 'berth-cwd-'));
  const child = spawn(process.execPath, [LAUNCHER, ...args], {
    cwd,
    // A clean environment: no developer config, no inherited BERTH_* settings.
    env: { PATH: process.env['PATH'] ?? '', HOME: cwd, BERTH_CLI_FROM_SOURCE: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin ?? '');
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr, ms: Date.now() - started })));
}

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

const web = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', resourceVersion: '5', generation: 1, creationTimestamp: new Date().toISOString() },
  spec: { replicas: 2 },
  status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 },
};

describe('the berth launcher (tools/bin/berth.js)', () => {
  let server: Server;
  let url: string;
  const bodies: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = new URL(req.url ?? '/', 'http://x');
        if (req.method === 'POST' && path.pathname === '/apply') {
          bodies.push(Buffer.concat(chunks).toString());
          json(res, 200, { kind: 'ApplyResult', items: [{ kind: 'Deployment', apiVersion: 'apps/v1', namespace: 'default', name: 'web', action: 'created', warnings: [] }] });
        } else if (path.pathname === '/apis/apps/v1/namespaces/default/deployments/web') {
          json(res, 200, web);
        } else if (path.pathname === '/apis/apps/v1/namespaces/default/deployments' && path.searchParams.get('watch') === 'true') {
          // A watch that never ends on its own: the CLI must still exit once it has its answer.
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.write(`${JSON.stringify({ type: 'MODIFIED', object: web })}\n`);
        } else if (path.pathname === '/apis/apps/v1/namespaces/default/deployments') {
          json(res, 200, { kind: 'DeploymentList', apiVersion: 'apps/v1', metadata: { resourceVersion: '5' }, items: [web] });
        } else {
          json(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', message: `${path.pathname} not found`, code: 404 });
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('runs from any folder, prints a table and exits 0', async () => {
    const run = await berth(['get', 'deployments'], { BERTH_SERVER: url });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^NAME +READY +UP-TO-DATE +AVAILABLE +AGE\nweb +2\/2 +2 +2 +\d+s\n$/);
    expect(run.code).toBe(0);
  });

  it('reads manifests piped to stdin', async () => {
    const manifest = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n';
    const run = await berth(['apply', '-f', '-'], { BERTH_SERVER: url }, manifest);
    expect(run).toMatchObject({ code: 0, stdout: 'deployment.apps/web created\n' });
    expect(bodies.at(-1)).toBe(manifest);
  });

  it('exits 1 with kubectl-style errors', async () => {
    const notFound = await berth(['get', 'pods', 'nope'], { BERTH_SERVER: url });
    expect(notFound).toMatchObject({ code: 1, stdout: '', stderr: 'Error from server (NotFound): /api/v1/namespaces/default/pods/nope not found\n' });
    const port = await closedPort();
    const refused = await berth(['get', 'pods'], { BERTH_SERVER: `http://127.0.0.1:${port}` });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`The connection to the server 127.0.0.1:${port} was refused`);
  });

  it('exits as soon as the rollout is done, even with the watch still open', async () => {
    const run = await berth(['rollout', 'status', 'deployment/web'], { BERTH_SERVER: url });
    expect(run).toMatchObject({ code: 0, stdout: 'deployment "web" successfully rolled out\n' });
    expect(run.ms).toBeLessThan(15_000);
  });
});
