import { FakeApiServer, list } from './testing/fake-api.fixture';
import { deployment, event, node, pod } from './testing/objects.fixture';
import { runBerth } from './testing/run-cli.fixture';

describe('berth describe (against a fake gateway)', () => {
  let api: FakeApiServer;
  beforeAll(async () => {
    api = await FakeApiServer.start();
  });
  afterAll(() => api.close());
  beforeEach(() => api.reset());

  it('describes a deployment and ends with its events, asked for by field selector', async () => {
    api.json('GET', '/apis/apps/v1/namespaces/default/deployments/web', deployment('web'));
    api.json(
      'GET',
      '/api/v1/namespaces/default/events',
      list('Event', [
        event({ kind: 'Deployment', name: 'web' }, 'ScalingReplicaSet', 'Scaled up to 3', { lastSeconds: 20 }),
        // Another object's event: the CLI filters too, in case a server ignores the selector.
        event({ kind: 'Deployment', name: 'api' }, 'ScalingReplicaSet', 'not mine', { lastSeconds: 5 }),
      ]),
    );
    const result = await runBerth(['describe', 'deployment', 'web'], { server: api.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Name: +web\nNamespace: +default\n/);
    expect(result.stdout).toMatch(/Replicas: +3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable\n/);
    expect(result.stdout).toMatch(/Events:\n {2}Type +Reason +Age +From +Message\n {2}-+ +-+ +-+ +-+ +-+\n {2}Normal +ScalingReplicaSet +20s +deployment-controller +Scaled up to 3\n$/);
    expect(result.stdout).not.toContain('not mine');
    const events = api.sent('GET', '/api/v1/namespaces/default/events')[0];
    expect(events.query.get('fieldSelector')).toBe('involvedObject.name=web,involvedObject.kind=Deployment');
  });

  it('still describes when events cannot be read', async () => {
    api.json('GET', '/api/v1/namespaces/default/pods/web-1', pod('web-1'));
    api.status('GET', '/api/v1/namespaces/default/events', 403, 'Forbidden', 'events is forbidden');
    const result = await runBerth(['describe', 'po/web-1'], { server: api.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Events: +<none>\n$/);
  });

  it('describes every object whose name starts with the given one, like kubectl', async () => {
    api.status('GET', '/api/v1/namespaces/default/pods/web', 404, 'NotFound', 'pods "web" not found');
    api.json('GET', '/api/v1/namespaces/default/pods', list('Pod', [pod('web-1'), pod('api-1'), pod('web-2')]));
    api.json('GET', '/api/v1/namespaces/default/events', list('Event', []));
    const result = await runBerth(['describe', 'pods', 'web'], { server: api.url });
    expect(result.stdout.match(/^Name: +(\S+)$/gm)).toEqual(['Name:         web-1', 'Name:         web-2']);
  });

  it('describes a node with the pods bound to it, and events from every namespace', async () => {
    api.json('GET', '/api/v1/nodes/node-1', node('node-1'));
    api.json('GET', '/api/v1/pods', list('Pod', [pod('web-1', { node: 'node-1' })]));
    api.json('GET', '/api/v1/events', list('Event', [event({ kind: 'Node', name: 'node-1' }, 'NodeReady', 'node is ready', { lastSeconds: 60 })]));
    const result = await runBerth(['describe', 'node', 'node-1'], { server: api.url });
    expect(result.stdout).toMatch(/Non-terminated Pods: +\(1 in total\)\n/);
    expect(result.stdout).toMatch(/NodeReady +60s +deployment-controller +node is ready\n$/);
    expect(api.sent('GET', '/api/v1/pods')[0].query.get('fieldSelector')).toBe('spec.nodeName=node-1');
  });

  it('prints NotFound and exits 1 when nothing matches', async () => {
    api.status('GET', '/apis/apps/v1/namespaces/default/deployments/nope', 404, 'NotFound', 'deployments.apps "nope" not found');
    api.json('GET', '/apis/apps/v1/namespaces/default/deployments', list('Deployment', []));
    expect(await runBerth(['describe', 'deploy', 'nope'], { server: api.url })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): deployments.apps "nope" not found\n',
    });
  });
});
