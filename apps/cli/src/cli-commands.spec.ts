import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer, list, sendJson, successStatus } from './testing/fake-api.fixture';
import { deployment, node, pod } from './testing/objects.fixture';
import { runBerth, startBerth } from './testing/run-cli.fixture';

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const okStatus = successStatus('deleted');

describe('berth delete, scale, logs, top, nodes, create (against a fake gateway)', () => {
  let api: FakeApiServer;
  beforeAll(async () => {
    api = await FakeApiServer.start();
  });
  afterAll(() => api.close());
  beforeEach(() => api.reset());

  describe('delete', () => {
    it('deletes by TYPE NAME... and TYPE/NAME, continuing past a missing one', async () => {
      api.json('DELETE', `${DEPLOYMENTS}/web`, okStatus);
      api.json('DELETE', '/api/v1/namespaces/default/services/web', okStatus);
      api.status('DELETE', `${DEPLOYMENTS}/ghost`, 404, 'NotFound', 'deployments.apps "ghost" not found');
      const result = await runBerth(['delete', 'deploy', 'ghost', 'web'], { server: api.url });
      expect(result).toEqual({ code: 1, stdout: 'deployment.apps "web" deleted\n', stderr: 'Error from server (NotFound): deployments.apps "ghost" not found\n' });
      expect(await runBerth(['delete', 'svc/web', 'deploy/ghost', '--ignore-not-found'], { server: api.url })).toEqual({ code: 0, stdout: 'service "web" deleted\n', stderr: '' });
    });

    it('deletes the objects of a manifest, in their own namespace or the current one', async () => {
      api.json('DELETE', '/apis/apps/v1/namespaces/team-a/deployments/web', okStatus);
      api.json('DELETE', '/api/v1/namespaces/prod/services/web', okStatus);
      const dir = mkdtempSync(join(tmpdir(), 'berth-delete-'));
      writeFileSync(
        join(dir, 'app.yaml'),
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: team-a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n',
      );
      const result = await runBerth(['delete', '-f', 'app.yaml', '-n', 'prod'], { server: api.url, cwd: dir });
      expect(result).toEqual({ code: 0, stdout: 'deployment.apps "web" deleted\nservice "web" deleted\n', stderr: '' });
    });

    it('deletes by label selector, and refuses a bare type', async () => {
      api.json('GET', DEPLOYMENTS, list('Deployment', [deployment('a'), deployment('b')]));
      api.json('DELETE', `${DEPLOYMENTS}/a`, okStatus);
      api.json('DELETE', `${DEPLOYMENTS}/b`, okStatus);
      expect((await runBerth(['delete', 'deploy', '-l', 'tier=front'], { server: api.url })).stdout).toBe('deployment.apps "a" deleted\ndeployment.apps "b" deleted\n');
      expect(api.sent('GET', DEPLOYMENTS)[0].query.get('labelSelector')).toBe('tier=front');
      expect((await runBerth(['delete', 'deploy'], { server: api.url })).stderr).toContain('no name was specified');
    });
  });

  describe('scale', () => {
    it('merge-patches the scale subresource', async () => {
      api.on('PATCH', `${DEPLOYMENTS}/web/scale`, (_req, res) => sendJson(res, 200, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: 5 } }));
      const result = await runBerth(['scale', 'deployment/web', '--replicas', '5'], { server: api.url });
      expect(result).toEqual({ code: 0, stdout: 'deployment.apps/web scaled\n', stderr: '' });
      const [patch] = api.sent('PATCH', `${DEPLOYMENTS}/web/scale`);
      expect(patch.headers['content-type']).toBe('application/merge-patch+json');
      expect(JSON.parse(patch.body)).toEqual({ spec: { replicas: 5 } });
    });

    it('needs a valid --replicas and a deployment', async () => {
      expect((await runBerth(['scale', 'deployment/web'], { server: api.url })).stderr).toContain('--replicas=COUNT is required');
      expect((await runBerth(['scale', 'deployment/web', '--replicas=-2'], { server: api.url })).stderr).toContain('--replicas must be a non-negative integer');
      expect((await runBerth(['scale', 'svc/web', '--replicas=2'], { server: api.url })).stderr).toContain('only deployments can be scaled');
      expect(api.requests).toHaveLength(0);
    });
  });

  describe('logs', () => {
    it('passes --tail and --since, and prints the text as it comes', async () => {
      api.on('GET', '/api/v1/namespaces/default/pods/web-1/log', (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('line 1\nline 2\n');
      });
      const result = await runBerth(['logs', 'web-1', '--tail', '20', '--since', '5m'], { server: api.url });
      expect(result).toEqual({ code: 0, stdout: 'line 1\nline 2\n', stderr: '' });
      const [request] = api.sent('GET', '/api/v1/namespaces/default/pods/web-1/log');
      expect(Object.fromEntries(request.query)).toEqual({ tailLines: '20', sinceSeconds: '300' });
    });

    it('-f streams lines as the server sends them', async () => {
      api.on('GET', '/api/v1/namespaces/default/pods/web-1/log', (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
        res.write('first\n');
      });
      const run = startBerth(['logs', '-f', 'pod/web-1'], { server: api.url });
      await run.waitForOutput('first\n');
      run.abort();
      expect(await run.done).toMatchObject({ code: 130, stdout: 'first\n' });
      expect(api.requests[0].query.get('follow')).toBe('true');
    });

    it('picks the oldest pod of deployment/NAME', async () => {
      api.json('GET', `${DEPLOYMENTS}/web`, deployment('web'));
      api.json('GET', '/api/v1/namespaces/default/pods', list('Pod', [pod('web-new', { ageSeconds: 10 }), pod('web-old', { ageSeconds: 900 })]));
      api.on('GET', '/api/v1/namespaces/default/pods/web-old/log', (_req, res) => {
        res.writeHead(200).end('hello\n');
      });
      const result = await runBerth(['logs', 'deployment/web'], { server: api.url });
      expect(result).toEqual({ code: 0, stdout: 'hello\n', stderr: 'Found 2 pods, using pod/web-old\n' });
      expect(api.sent('GET', '/api/v1/namespaces/default/pods')[0].query.get('labelSelector')).toBe('app=web');
    });
  });

  describe('top', () => {
    it('shows node usage against allocatable', async () => {
      api.json('GET', '/api/v1/nodes', list('Node', [node('node-1')]));
      api.json('GET', '/apis/metrics.k8s.io/v1beta1/nodes', list('NodeMetrics', [{ metadata: { name: 'node-1' }, usage: { cpu: '1', memory: '2Gi' } }]));
      expect((await runBerth(['top', 'nodes'], { server: api.url })).stdout).toBe(
        'NAME     CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)\nnode-1   1000m        25%      2048Mi          25%\n',
      );
    });

    it('shows pod usage of the namespace, or of all with -A', async () => {
      const metrics = list('PodMetrics', [{ metadata: { name: 'web-1', namespace: 'default' }, containers: [{ name: 'nginx', usage: { cpu: '3m', memory: '5Mi' } }] }]);
      api.json('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', metrics);
      api.json('GET', '/apis/metrics.k8s.io/v1beta1/pods', metrics);
      expect((await runBerth(['top', 'pods'], { server: api.url })).stdout).toBe('NAME    CPU(cores)   MEMORY(bytes)\nweb-1   3m           5Mi\n');
      expect((await runBerth(['top', 'po', '-A'], { server: api.url })).stdout.split('\n')[0]).toBe('NAMESPACE   NAME    CPU(cores)   MEMORY(bytes)');
    });

    it('top pod NAME asks for that pod; a pod without samples yet and a missing pod read differently', async () => {
      const base = '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods';
      api.json('GET', `${base}/web-1`, { kind: 'PodMetrics', metadata: { name: 'web-1', namespace: 'default' }, containers: [{ name: 'nginx', usage: { cpu: '3m', memory: '5Mi' } }] });
      expect((await runBerth(['top', 'pod', 'web-1'], { server: api.url })).stdout).toBe('NAME    CPU(cores)   MEMORY(bytes)\nweb-1   3m           5Mi\n');
      api.status('GET', `${base}/young`, 404, 'NotFound', 'podmetrics.metrics.k8s.io "young" not found');
      api.json('GET', '/api/v1/namespaces/default/pods/young', pod('young'));
      expect(await runBerth(['top', 'pod', 'young'], { server: api.url })).toEqual({ code: 1, stdout: '', stderr: 'error: metrics not available yet for pod default/young\n' });
      api.status('GET', `${base}/nope`, 404, 'NotFound', 'pods "nope" not found');
      api.status('GET', '/api/v1/namespaces/default/pods/nope', 404, 'NotFound', 'pods "nope" not found');
      expect(await runBerth(['top', 'pod', 'nope'], { server: api.url })).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n' });
    });

    it('-A asks each namespace when the server has no cluster-wide pod metrics', async () => {
      api.json('GET', '/api/v1/namespaces', list('Namespace', [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }]));
      for (const ns of ['a', 'b']) {
        api.json('GET', `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`, list('PodMetrics', [{ metadata: { name: `p-${ns}`, namespace: ns }, containers: [{ usage: { cpu: '1m', memory: '1Mi' } }] }]));
      }
      const result = await runBerth(['top', 'pods', '-A'], { server: api.url });
      expect(result.stdout).toBe('NAMESPACE   NAME   CPU(cores)   MEMORY(bytes)\na           p-a    1m           1Mi\nb           p-b    1m           1Mi\n');
    });

    it('reports a monitor that does not answer', async () => {
      api.json('GET', '/api/v1/nodes', list('Node', [node('node-1')]));
      api.status('GET', '/apis/metrics.k8s.io/v1beta1/nodes', 503, 'ServiceUnavailable', 'the monitor did not answer');
      expect(await runBerth(['top', 'no'], { server: api.url })).toMatchObject({ code: 1, stderr: 'Error from server (ServiceUnavailable): the monitor did not answer\n' });
    });
  });

  describe('cordon, uncordon, drain', () => {
    it('cordon patches spec.unschedulable, and says so when already done', async () => {
      api.json('GET', '/api/v1/nodes/node-1', node('node-1'));
      api.on('PATCH', '/api/v1/nodes/node-1', (_req, res) => sendJson(res, 200, node('node-1', { unschedulable: true })));
      expect((await runBerth(['cordon', 'node-1'], { server: api.url })).stdout).toBe('node/node-1 cordoned\n');
      expect(JSON.parse(api.sent('PATCH', '/api/v1/nodes/node-1')[0].body)).toEqual({ spec: { unschedulable: true } });
      expect((await runBerth(['uncordon', 'node-1'], { server: api.url })).stdout).toBe('node/node-1 already uncordoned\n');
      api.json('GET', '/api/v1/nodes/node-1', node('node-1', { unschedulable: true }));
      expect((await runBerth(['uncordon', 'node-1'], { server: api.url })).stdout).toBe('node/node-1 uncordoned\n');
      expect(JSON.parse(api.sent('PATCH', '/api/v1/nodes/node-1')[1].body)).toEqual({ spec: { unschedulable: false } });
    });

    it('drain posts the drain and waits until the node has no pods left', async () => {
      api.json('POST', '/api/v1/nodes/node-1/drain', successStatus('draining node-1: 2 replicas to move', 202), 202);
      let polls = 0;
      api.on('GET', '/api/v1/pods', (_req, res) => {
        polls++;
        const pods = polls === 1 ? [pod('web-1'), pod('web-2')] : polls === 2 ? [pod('web-2')] : [];
        sendJson(res, 200, list('Pod', pods));
      });
      const result = await runBerth(['drain', 'node-1'], { server: api.url });
      expect(result).toEqual({
        code: 0,
        stdout: ['node/node-1 cordoned', 'evicting pod default/web-1', 'evicting pod default/web-2', 'pod/web-1 evicted', 'pod/web-2 evicted', 'node/node-1 drained', ''].join('\n'),
        stderr: '',
      });
      expect(api.sent('GET', '/api/v1/pods')[0].query.get('fieldSelector')).toBe('spec.nodeName=node-1');
    });

    it('drain --timeout fails naming the pods left', async () => {
      api.json('POST', '/api/v1/nodes/node-1/drain', successStatus('draining', 202), 202);
      api.json('GET', '/api/v1/pods', list('Pod', [pod('stuck-1')]));
      const result = await runBerth(['drain', 'node-1', '--timeout', '100ms'], { server: api.url });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('error: unable to drain node "node-1": 1 pod(s) still running after 100ms: default/stuck-1\n');
    });

    it('drain needs admin rights: Forbidden is printed like kubectl', async () => {
      api.status('POST', '/api/v1/nodes/node-1/drain', 403, 'Forbidden', 'forbidden: role "edit" cannot create nodes/drain (cluster-wide)');
      expect(await runBerth(['drain', 'node-1'], { server: api.url, env: { BERTH_TOKEN: 'berth_x_y' } })).toEqual({
        code: 1,
        stdout: '',
        stderr: 'Error from server (Forbidden): forbidden: role "edit" cannot create nodes/drain (cluster-wide)\n',
      });
    });
  });

  describe('create namespace and version', () => {
    it('creates a namespace', async () => {
      api.on('POST', '/api/v1/namespaces', (req, res) => sendJson(res, 201, JSON.parse(req.body)));
      expect((await runBerth(['create', 'ns', 'team-a'], { server: api.url })).stdout).toBe('namespace/team-a created\n');
      expect(JSON.parse(api.requests[0].body)).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
      api.status('POST', '/api/v1/namespaces', 409, 'AlreadyExists', 'namespaces "team-a" already exists');
      expect((await runBerth(['create', 'namespace', 'team-a'], { server: api.url })).stderr).toBe('Error from server (AlreadyExists): namespaces "team-a" already exists\n');
    });

    it('prints client and server versions', async () => {
      api.json('GET', '/version', { gitVersion: 'v0.1.0', major: '0', minor: '1' });
      expect((await runBerth(['version'], { server: api.url })).stdout).toBe('Client Version: 0.1.0\nServer Version: v0.1.0\n');
      expect((await runBerth(['version', '--client'], { server: 'http://127.0.0.1:1' })).stdout).toBe('Client Version: 0.1.0\n');
    });
  });
});
