import { parse as parseYaml } from 'yaml';
import { FakeApiServer, list, streamEvents } from './testing/fake-api.fixture';
import { deployment, event, node, pod, service } from './testing/objects.fixture';
import { runBerth, startBerth } from './testing/run-cli.fixture';

describe('berth get (against a fake gateway)', () => {
  let api: FakeApiServer;
  beforeAll(async () => {
    api = await FakeApiServer.start();
  });
  afterAll(() => api.close());
  beforeEach(() => api.reset());

  it('lists deployments of the current namespace as a kubectl table', async () => {
    api.json('GET', '/apis/apps/v1/namespaces/default/deployments', list('Deployment', [deployment('web', { ready: 1, available: 1 }), deployment('api', { replicas: 1, ageSeconds: 7200 })], '100', 'apps/v1'));
    const result = await runBerth(['get', 'deploy'], { server: api.url });
    expect(result).toEqual({
      code: 0,
      stdout: ['NAME   READY   UP-TO-DATE   AVAILABLE   AGE', 'web    1/3     3            1           5m', 'api    1/1     1            1           120m', ''].join('\n'),
      stderr: '',
    });
    expect(api.requests[0].query.get('limit')).toBe('500');
  });

  it('follows continue tokens to get every page', async () => {
    api.on('GET', '/api/v1/namespaces/default/pods', (req, res) => {
      const body = req.query.get('continue') === 'page2' ? list('Pod', [pod('web-2')]) : { ...list('Pod', [pod('web-1')]), metadata: { resourceVersion: '9', continue: 'page2' } };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
    const result = await runBerth(['get', 'pods', '-o', 'name'], { server: api.url });
    expect(result.stdout).toBe('pod/web-1\npod/web-2\n');
    expect(api.requests).toHaveLength(2);
  });

  it('uses -n, -l and --field-selector, and --all-namespaces adds a NAMESPACE column', async () => {
    api.json('GET', '/api/v1/namespaces/prod/pods', list('Pod', []));
    api.json('GET', '/api/v1/pods', list('Pod', [pod('web-1', { namespace: 'prod' })]));
    const inNamespace = await runBerth(['get', 'po', '-n', 'prod', '-l', 'app=web', '--field-selector', 'status.phase=Running'], { server: api.url });
    expect(inNamespace).toEqual({ code: 0, stdout: '', stderr: 'No resources found in prod namespace.\n' });
    expect(api.requests[0].query.get('labelSelector')).toBe('app=web');
    expect(api.requests[0].query.get('fieldSelector')).toBe('status.phase=Running');
    const everywhere = await runBerth(['get', 'pods', '-A'], { server: api.url });
    expect(everywhere.stdout.split('\n')[0]).toBe('NAMESPACE   NAME    READY   STATUS    RESTARTS   AGE');
    expect(everywhere.stdout.split('\n')[1]).toBe('prod        web-1   1/1     Running   0          2m');
  });

  it('gets one object by name, as JSON, YAML or a wide table', async () => {
    const web = deployment('web');
    api.json('GET', '/apis/apps/v1/namespaces/default/deployments/web', web);
    const json = await runBerth(['get', 'deployment/web', '-o', 'json'], { server: api.url });
    expect(JSON.parse(json.stdout)).toEqual(web);
    expect(json.stdout.split('\n')[1]).toBe('    "apiVersion": "apps/v1",');
    const yaml = await runBerth(['get', 'deployments.apps', 'web', '-o=yaml'], { server: api.url });
    expect(parseYaml(yaml.stdout)).toEqual(web);
    expect(yaml.stdout.startsWith('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n')).toBe(true);
    const wide = await runBerth(['get', 'deploy', 'web', '-o', 'wide'], { server: api.url });
    expect(wide.stdout.split('\n')[0]).toBe('NAME   READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS   IMAGES         SELECTOR');
  });

  it('prints several objects as a List and several kinds as separate tables', async () => {
    api.json('GET', '/apis/apps/v1/namespaces/default/deployments', list('Deployment', [deployment('web')]));
    api.json('GET', '/api/v1/namespaces/default/services', list('Service', [service('web')]));
    const json = await runBerth(['get', 'deploy,svc', '-o', 'json'], { server: api.url });
    expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'List', apiVersion: 'v1', items: [{ kind: 'Deployment' }, { kind: 'Service' }] });
    const tables = await runBerth(['get', 'deploy,svc'], { server: api.url });
    expect(tables.stdout).toBe(
      [
        'NAME                  READY   UP-TO-DATE   AVAILABLE   AGE',
        'deployment.apps/web   3/3     3            3           5m',
        '',
        'NAME          TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE',
        'service/web   ClusterIP   <none>       <none>        80/TCP    5m',
        '',
      ].join('\n'),
    );
  });

  it('shows services, nodes, namespaces and events with their own columns', async () => {
    api.json('GET', '/api/v1/namespaces/default/services', list('Service', [service('web', { type: 'LoadBalancer', nodePort: 30080 })]));
    api.json('GET', '/api/v1/nodes', list('Node', [node('node-1'), node('node-2', { unschedulable: true })]));
    api.json('GET', '/api/v1/namespaces', list('Namespace', [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', creationTimestamp: '2024-04-30T12:00:00Z' }, status: { phase: 'Active' } }]));
    api.json('GET', '/api/v1/namespaces/default/events', list('Event', [event({ kind: 'Pod', name: 'web-1' }, 'Started', 'Started container nginx', { lastSeconds: 3 })]));
    expect((await runBerth(['get', 'svc'], { server: api.url })).stdout).toBe(
      'NAME   TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)        AGE\nweb    LoadBalancer   <none>       <pending>     80:30080/TCP   5m\n',
    );
    expect((await runBerth(['get', 'no'], { server: api.url, env: { BERTH_NAMESPACE: 'ignored' } })).stdout).toBe(
      ['NAME     STATUS                     ROLES    AGE   VERSION', 'node-1   Ready                      <none>   4d    berth-0.1.0', 'node-2   Ready,SchedulingDisabled   <none>   4d    berth-0.1.0', ''].join('\n'),
    );
    expect((await runBerth(['get', 'ns'], { server: api.url })).stdout).toBe('NAME      STATUS   AGE\ndefault   Active   24h\n');
    expect((await runBerth(['get', 'ev'], { server: api.url })).stdout).toBe(
      'LAST SEEN   TYPE     REASON    OBJECT      MESSAGE\n3s          Normal   Started   pod/web-1   Started container nginx\n',
    );
  });

  it('prints NotFound like kubectl and exits 1, unless --ignore-not-found', async () => {
    api.status('GET', '/apis/apps/v1/namespaces/default/deployments/nope', 404, 'NotFound', 'deployments.apps "nope" not found');
    const result = await runBerth(['get', 'deploy', 'nope'], { server: api.url });
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): deployments.apps "nope" not found\n' });
    expect(await runBerth(['get', 'deploy', 'nope', '--ignore-not-found'], { server: api.url })).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('refuses unknown kinds and output formats before sending anything', async () => {
    expect(await runBerth(['get', 'widgets'], { server: api.url })).toEqual({ code: 1, stdout: '', stderr: 'error: the server doesn\'t have a resource type "widgets"\n' });
    expect((await runBerth(['get', 'po', '-o', 'xml'], { server: api.url })).stderr).toContain('allowed formats are: json,yaml,wide,name');
    expect(api.requests).toHaveLength(0);
  });

  it('--watch lists, then prints a row for every change from the list\'s resourceVersion', async () => {
    api.on('GET', '/apis/apps/v1/namespaces/default/deployments', (req, res) => {
      if (req.query.get('watch') !== 'true') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(list('Deployment', [deployment('web', { ready: 1 })], '100')));
        return;
      }
      streamEvents(res, [
        { type: 'MODIFIED', object: deployment('web', { ready: 2 }) },
        { type: 'BOOKMARK', object: { kind: 'Deployment', metadata: { resourceVersion: '150' } } },
        { type: 'ADDED', object: deployment('a-much-longer-name', { replicas: 1 }) },
      ]);
    });
    const run = startBerth(['get', 'deploy', '-w'], { server: api.url });
    await run.waitForOutput('a-much-longer-name');
    run.abort();
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(result.stdout).toBe(
      [
        'NAME   READY   UP-TO-DATE   AVAILABLE   AGE',
        'web    1/3     3            1           5m',
        'web    2/3     3            2           5m',
        'a-much-longer-name   1/1     1            1           5m',
        '',
      ].join('\n'),
    );
    const watch = api.requests.find((r) => r.query.get('watch') === 'true');
    expect(watch?.query.get('resourceVersion')).toBe('100');
  });

  it('--watch --output-watch-events adds an EVENT column, or wraps JSON objects as {type, object}', async () => {
    api.on('GET', '/apis/apps/v1/namespaces/default/deployments', (req, res) => {
      if (req.query.get('watch') !== 'true') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(list('Deployment', [deployment('web', { ready: 1 })], '100')));
        return;
      }
      streamEvents(res, [
        { type: 'MODIFIED', object: deployment('web', { ready: 2 }) },
        { type: 'DELETED', object: deployment('web', { ready: 2 }) },
      ]);
    });
    const table = startBerth(['get', 'deploy', '-w', '--output-watch-events'], { server: api.url });
    await table.waitForOutput('DELETED');
    table.abort();
    expect((await table.done).stdout).toBe(
      [
        // Rows are printed as changes come: a wider cell widens the column from then on.
        'EVENT   NAME   READY   UP-TO-DATE   AVAILABLE   AGE',
        'ADDED   web    1/3     3            1           5m',
        'MODIFIED   web    2/3     3            2           5m',
        'DELETED    web    2/3     3            2           5m',
        '',
      ].join('\n'),
    );
    const json = startBerth(['get', 'deploy', '-w', '--output-watch-events', '-o', 'json'], { server: api.url });
    await json.waitForOutput('"DELETED"');
    json.abort();
    const documents = (await json.done).stdout.split(/\n(?=\{)/).map((text) => JSON.parse(text) as { type: string; object: { metadata: { name: string } } });
    expect(documents.map((d) => [d.type, d.object.metadata.name])).toEqual([
      ['ADDED', 'web'],
      ['MODIFIED', 'web'],
      ['DELETED', 'web'],
    ]);
  });

  it('--watch -o json prints the listed objects one by one, not as a List (like kubectl)', async () => {
    api.on('GET', '/api/v1/namespaces/default/pods', (req, res) => {
      if (req.query.get('watch') !== 'true') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(list('Pod', [pod('web-1'), pod('web-2')], '7')));
        return;
      }
      streamEvents(res, [{ type: 'ADDED', object: pod('web-3') }]);
    });
    const run = startBerth(['get', 'pods', '-w', '-o', 'json'], { server: api.url });
    await run.waitForOutput('web-3');
    run.abort();
    const documents = (await run.done).stdout.split(/\n(?=\{)/).map((text) => JSON.parse(text) as { kind: string; metadata: { name: string } });
    expect(documents.map((d) => [d.kind, d.metadata.name])).toEqual([
      ['Pod', 'web-1'],
      ['Pod', 'web-2'],
      ['Pod', 'web-3'],
    ]);
  });

  it('--watch resumes from the last resourceVersion when the server closes the stream', async () => {
    let watches = 0;
    api.on('GET', '/api/v1/namespaces/default/pods', (req, res) => {
      if (req.query.get('watch') !== 'true') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(list('Pod', [], '7')));
        return;
      }
      watches++;
      const p = { ...pod(`web-${watches}`), metadata: { ...pod(`web-${watches}`).metadata, resourceVersion: String(10 + watches) } };
      streamEvents(res, [{ type: 'ADDED', object: p }], watches === 1);
    });
    const run = startBerth(['get', 'pods', '--watch', '-o', 'name'], { server: api.url });
    await run.waitForOutput('pod/web-2');
    run.abort();
    expect((await run.done).stdout).toBe('pod/web-1\npod/web-2\n');
    const resumed = api.requests.filter((r) => r.query.get('watch') === 'true').map((r) => r.query.get('resourceVersion'));
    expect(resumed).toEqual(['7', '11']);
  });
  it('lists every namespace one by one when the server has no cluster-wide path for the kind', async () => {
    api.json('GET', '/api/v1/namespaces', list('Namespace', [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }]));
    api.json('GET', '/api/v1/namespaces/a/services', list('Service', [{ ...service('web'), metadata: { ...service('web').metadata, namespace: 'a' } }], '30'));
    api.json('GET', '/api/v1/namespaces/b/services', list('Service', [{ ...service('db'), metadata: { ...service('db').metadata, namespace: 'b' } }], '31'));
    const result = await runBerth(['get', 'svc', '-A', '-o', 'name'], { server: api.url });
    expect(result).toEqual({ code: 0, stdout: 'service/web\nservice/db\n', stderr: '' });
    expect(api.requests.map((r) => r.path)).toEqual(['/api/v1/services', '/api/v1/namespaces', '/api/v1/namespaces/a/services', '/api/v1/namespaces/b/services']);
  });

  it('--watch lists again after 410 Gone and shows only what changed', async () => {
    let lists = 0;
    let watches = 0;
    api.on('GET', '/apis/apps/v1/namespaces/default/deployments', (req, res) => {
      if (req.query.get('watch') !== 'true') {
        lists++;
        const items = lists === 1 ? [deployment('web'), deployment('api')] : [deployment('web'), { ...deployment('api', { ready: 1 }), metadata: { ...deployment('api').metadata, resourceVersion: '77' } }];
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(list('Deployment', items, lists === 1 ? '50' : '80')));
        return;
      }
      watches++;
      if (watches === 1) {
        res.writeHead(410, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Gone', message: 'too old resource version: 50', code: 410 }));
        return;
      }
      streamEvents(res, []);
    });
    const run = startBerth(['get', 'deploy', '-w', '-o', 'name'], { server: api.url });
    await run.waitForOutput('deployment.apps/api\ndeployment.apps/api\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    run.abort();
    expect((await run.done).stdout).toBe('deployment.apps/web\ndeployment.apps/api\ndeployment.apps/api\n');
    expect(api.requests.filter((r) => r.query.get('watch') === 'true').map((r) => r.query.get('resourceVersion'))).toEqual(['50', '80']);
  });
});
