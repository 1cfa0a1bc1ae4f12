import { deploymentManifest, startTestGateway, TestGateway } from '../gateway-test.fixture';

type Who = 'adminC' | 'editC' | 'viewC' | 'adminA' | 'editA' | 'viewA';
const EVERYONE: Who[] = ['adminC', 'editC', 'viewC', 'adminA', 'editA', 'viewA'];
const CLUSTER_READERS: Who[] = ['adminC', 'editC', 'viewC'];
const WRITERS_A: Who[] = ['adminC', 'editC', 'adminA', 'editA'];
const CLUSTER_WRITERS: Who[] = ['adminC', 'editC'];

interface Case {
  name: string;
  /** Who may do it (everyone else must get 403). */
  allowed: Who[];
  run: (gw: TestGateway, token: string, unique: string) => Promise<number>;
}

const deployments = (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments`;
const merge = 'application/merge-patch+json';

/** role x verb x namespace: written out by hand from the contract, not computed from the policy. */
const CASES: Case[] = [
  { name: 'get a deployment in A', allowed: EVERYONE, run: async (gw, token) => (await gw.request('GET', `${deployments('team-a')}/d`, { token })).status },
  { name: 'get a deployment in B', allowed: CLUSTER_READERS, run: async (gw, token) => (await gw.request('GET', `${deployments('team-b')}/d`, { token })).status },
  { name: 'list deployments in A', allowed: EVERYONE, run: async (gw, token) => (await gw.request('GET', deployments('team-a'), { token })).status },
  { name: 'list deployments in B', allowed: CLUSTER_READERS, run: async (gw, token) => (await gw.request('GET', deployments('team-b'), { token })).status },
  { name: 'list deployments of all namespaces', allowed: CLUSTER_READERS, run: async (gw, token) => (await gw.request('GET', '/apis/apps/v1/deployments', { token })).status },
  {
    name: 'watch deployments in A',
    allowed: EVERYONE,
    run: async (gw, token) => (await gw.request('GET', `${deployments('team-a')}?watch=true&timeoutSeconds=1&resourceVersion=${await gw.head()}`, { token })).status,
  },
  { name: 'create a deployment in A', allowed: WRITERS_A, run: async (gw, token, u) => (await gw.request('POST', deployments('team-a'), { token, body: deploymentManifest(u) })).status },
  { name: 'create a deployment in B', allowed: CLUSTER_WRITERS, run: async (gw, token, u) => (await gw.request('POST', deployments('team-b'), { token, body: deploymentManifest(u) })).status },
  {
    name: 'patch a deployment in A',
    allowed: WRITERS_A,
    run: async (gw, token, u) => (await gw.request('PATCH', `${deployments('team-a')}/d`, { token, body: { metadata: { labels: { by: u } } }, contentType: merge })).status,
  },
  {
    name: 'patch a deployment in B',
    allowed: CLUSTER_WRITERS,
    run: async (gw, token, u) => (await gw.request('PATCH', `${deployments('team-b')}/d`, { token, body: { metadata: { labels: { by: u } } }, contentType: merge })).status,
  },
  {
    name: 'scale a deployment in A',
    allowed: WRITERS_A,
    run: async (gw, token, u) => (await gw.request('PATCH', `${deployments('team-a')}/d/scale`, { token, body: { spec: { replicas: u.length % 5 } }, contentType: merge })).status,
  },
  {
    name: 'delete a deployment in A',
    allowed: WRITERS_A,
    run: async (gw, token, u) => {
      await gw.request('POST', deployments('team-a'), { body: deploymentManifest(u) });
      return (await gw.request('DELETE', `${deployments('team-a')}/${u}`, { token })).status;
    },
  },
  {
    name: 'roll back a deployment in B',
    allowed: CLUSTER_WRITERS,
    // No revision recorded: the allowed get 400, the others 403.
    run: async (gw, token) => (await gw.request('POST', `${deployments('team-b')}/d/rollback`, { token, body: {} })).status,
  },
  { name: 'read pod logs in A', allowed: WRITERS_A, run: async (gw, token) => (await gw.request('GET', '/api/v1/namespaces/team-a/pods/nope/log', { token })).status },
  { name: 'read pod logs in B', allowed: CLUSTER_WRITERS, run: async (gw, token) => (await gw.request('GET', '/api/v1/namespaces/team-b/pods/nope/log', { token })).status },
  { name: 'list pods in A', allowed: EVERYONE, run: async (gw, token) => (await gw.request('GET', '/api/v1/namespaces/team-a/pods', { token })).status },
  { name: 'list events in B', allowed: CLUSTER_READERS, run: async (gw, token) => (await gw.request('GET', '/api/v1/namespaces/team-b/events', { token })).status },
  { name: 'list nodes', allowed: CLUSTER_READERS, run: async (gw, token) => (await gw.request('GET', '/api/v1/nodes', { token })).status },
  {
    name: 'cordon a node',
    allowed: ['adminC'],
    run: async (gw, token) => (await gw.request('PATCH', '/api/v1/nodes/nope', { token, body: { spec: { unschedulable: true } }, contentType: merge })).status,
  },
  { name: 'drain a node', allowed: ['adminC'], run: async (gw, token) => (await gw.request('POST', '/api/v1/nodes/nope/drain', { token })).status },
  { name: 'list namespaces', allowed: CLUSTER_READERS, run: async (gw, token) => (await gw.request('GET', '/api/v1/namespaces', { token })).status },
  { name: 'get its own namespace', allowed: EVERYONE, run: async (gw, token) => (await gw.request('GET', '/api/v1/namespaces/team-a', { token })).status },
  { name: 'get another namespace', allowed: CLUSTER_READERS, run: async (gw, token) => (await gw.request('GET', '/api/v1/namespaces/team-b', { token })).status },
  {
    name: 'create a namespace',
    allowed: ['adminC'],
    run: async (gw, token, u) => (await gw.request('POST', '/api/v1/namespaces', { token, body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: u } } })).status,
  },
  { name: 'delete a namespace', allowed: ['adminC'], run: async (gw, token) => (await gw.request('DELETE', '/api/v1/namespaces/nope', { token })).status },
  { name: 'read discovery', allowed: EVERYONE, run: async (gw, token) => (await gw.request('GET', '/apis/apps/v1', { token })).status },
];

describe('authentication and the role x verb x namespace matrix', () => {
  let gw: TestGateway;
  const tokens = {} as Record<Who, { id: string; secret: string }>;
  let counter = 0;

  beforeAll(async () => {
    gw = await startTestGateway('gwauth', { ANONYMOUS: 'false' });
    tokens.adminC = await gw.token('admin');
    tokens.editC = await gw.token('edit');
    tokens.viewC = await gw.token('view');
    tokens.adminA = await gw.token('admin', 'team-a');
    tokens.editA = await gw.token('edit', 'team-a');
    tokens.viewA = await gw.token('view', 'team-a');
    const admin = tokens.adminC.secret;
    for (const ns of ['team-a', 'team-b']) {
      expect((await gw.request('POST', '/api/v1/namespaces', { token: admin, body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } })).status).toBe(201);
      expect((await gw.request('POST', deployments(ns), { token: admin, body: deploymentManifest('d') })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await gw.close();
  });

  const table = CASES.flatMap((c) => EVERYONE.map((who) => [c.name, who, c.allowed.includes(who)] as const));

  it.each(table)('%s as %s: allowed=%s', async (name, who, allowed) => {
    const test = CASES.find((c) => c.name === name) as Case;
    const status = await test.run(gw, tokens[who].secret, `u${++counter}-${who.toLowerCase()}`);
    if (allowed) {
      expect(status).not.toBe(403);
      expect(status).not.toBe(401);
      expect(status).toBeLessThan(500);
    } else expect(status).toBe(403);
  });

  it('answers 403 with a Status naming the verb, the resource and the namespace, and appends nothing', async () => {
    const head = await gw.head();
    const answer = await gw.request<{ kind: string; reason: string; code: number; message: string }>('POST', deployments('team-b'), {
      token: tokens.editA.secret,
      body: deploymentManifest('nope'),
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
    expect(answer.body.message).toBe(
      `deployments.apps is forbidden: User "token:${tokens.editA.id}" cannot create resource "deployments" in API group "apps" in the namespace "team-b"`,
    );
    expect(await gw.head()).toBe(head);
  });

  it('answers 401 without a token, with a bad one, and once a token is revoked', async () => {
    const path = deployments('team-a');
    const none = await gw.request<{ reason: string }>('GET', path);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect((await gw.request('GET', path, { token: 'berth_x_not-a-token' })).status).toBe(401);
    expect((await gw.request('GET', path, { headers: { authorization: 'Basic dXNlcjpwYXNz' } })).status).toBe(401);
    const victim = await gw.token('view');
    expect((await gw.request('GET', path, { token: victim.secret })).status).toBe(200);
    const revoked = await gw.db.store.append(`token:${victim.id}`, 0, [{ type: 'TokenRevoked', data: {} }]);
    await gw.pump.waitFor(revoked.lastPosition);
    // The lookup cache holds an answer for at most a second.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await gw.request('GET', path, { token: victim.secret })).status).toBe(401);
  });

  it('records the token as the actor of what it writes; health, version and the OpenAPI document need no token', async () => {
    await gw.request('POST', deployments('team-a'), { token: tokens.editA.secret, body: deploymentManifest('mine'), headers: { 'x-request-id': 'req-42' } });
    const [created] = await gw.db.store.readStream('deployment:team-a/mine');
    expect(created.metadata).toMatchObject({ actor: `token:${tokens.editA.id}`, correlationId: 'req-42' });
    for (const path of ['/healthz', '/version', '/openapi.json', '/docs']) expect((await gw.request('GET', path)).status).toBe(200);
  });
});
