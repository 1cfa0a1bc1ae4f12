import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { apiReadModelMigrations, hashToken } from '@berth/api-read-models';
import { createTestDatabase, ServiceProcess, startService, TestDatabase, waitForHttp } from '@berth/testing';
import { buildTestImages, ControlPlaneSide, removeContainersOf, replica, startAgent, uniqueNode, waitFor } from './node-agent-control-plane.fixture';
import { ImageConfiguredNats, startImageConfiguredNats } from './nats-server-config.fixture';

const secret = (what: string) => `${what}-${randomBytes(12).toString('hex')}`;

/**
 * Secrets never reach the logs: the database password in DATABASE_URL, NATS passwords, bearer
 * tokens and the environment of containers, at debug level, through a NATS restart and through
 * start-up failures.
 */
describe('secrets are never logged', () => {
  const dbPassword = secret('dbpw');
  const natsPassword = secret('natspw');
  const agentPassword = secret('agentpw');
  const token = `berth_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
  const wrongToken = secret('wrongtoken');
  const containerSecret = secret('envsecret');
  const node = uniqueNode('secret');
  const secrets = [dbPassword, natsPassword, agentPassword, token, wrongToken, containerSecret];
  const processes: ServiceProcess[] = [];
  let nats: ImageConfiguredNats;
  let db: TestDatabase;
  let plane: ControlPlaneSide;

  function withPassword(url: string, password: string): string {
    const parsed = new URL(url);
    parsed.password = password;
    return parsed.toString();
  }

  beforeAll(async () => {
    buildTestImages();
    nats = await startImageConfiguredNats({ NATS_USER: 'berth', NATS_PASSWORD: natsPassword, NATS_AGENT_USERS: `${node}:${agentPassword}` });
    db = await createTestDatabase('secrets', { migrations: apiReadModelMigrations });
    plane = await ControlPlaneSide.connect(node, nats.server.url, { user: 'berth', pass: natsPassword });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await plane?.close();
    await removeContainersOf(node);
    await db?.cleanup();
    await nats?.dispose();
  });

  it('a gateway and a node-agent at debug level, serving requests and riding out a NATS restart', async () => {
    const gateway = await startService('api-gateway', {
      DATABASE_URL: withPassword(db.options.url, dbPassword),
      DATABASE_SCHEMA: db.options.schema,
      NATS_URL: nats.server.url,
      NATS_USER: 'berth',
      NATS_PASSWORD: natsPassword,
      LOG_LEVEL: 'debug',
    });
    processes.push(gateway);
    const url = `http://127.0.0.1:${gateway.port}`;
    await waitForHttp(`${url}/healthz`, gateway, 60_000);
    const appended = await db.store.append(`token:${token.split('_')[1]}`, 'no_stream', [{ type: 'TokenCreated', data: { role: 'admin', hash: hashToken(token) } }]);
    expect(appended.lastPosition).toBeGreaterThan(0);
    await waitFor(async () => (await fetch(`${url}/api/v1/namespaces`, { headers: { authorization: `Bearer ${token}` } })).status === 200, 15_000, 'the token to be accepted');
    expect((await fetch(`${url}/api/v1/namespaces`, { headers: { authorization: `Bearer ${wrongToken}` } })).status).toBe(401);
    expect((await fetch(`${url}/api/v1/nope`, { headers: { authorization: `Bearer ${token}`, cookie: `session=${token}` } })).status).toBe(404);

    const agent = await startAgent(node, { NATS_URL: nats.server.url, NATS_USER: node, NATS_PASSWORD: agentPassword, LOG_LEVEL: 'debug' });
    processes.push(agent);
    await waitFor(() => plane.desiredRequests.length > 0, 45_000, 'the agent to ask for its desired state');
    const web = replica({ image: 'berth/http:test', env: { API_KEY: containerSecret }, ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] });
    plane.add(web);
    await plane.waitForReport(web.uid, 'started', 1, 45_000);

    // A NATS restart: both reconnect and log it.
    const heartbeats = plane.heartbeats.length;
    await nats.server.restart();
    await waitFor(() => plane.heartbeats.length > heartbeats, 30_000, 'heartbeats after the NATS restart');
    await waitFor(async () => (await fetch(`${url}/healthz`)).status === 200, 30_000, 'the gateway ready again');
    plane.remove(web.uid);
    await gateway.stop();
    await agent.stop();
    rmSync(agent.stateDir, { recursive: true, force: true });

    const output = gateway.output() + agent.output();
    // The logs did record the requests, the reconnection and the replica: they just left the secrets out.
    expect(gateway.output()).toMatch(/"authorization":"\[Redacted\]"/);
    expect(output).toMatch(/nats status/);
    expect(agent.output()).toContain(web.uid);
    for (const value of secrets) expect(output).not.toContain(value);
  });

  it.each([
    ['a database that does not answer', () => ({ DATABASE_URL: `postgres://berth:${dbPassword}@127.0.0.1:1/berth` })],
    ['a DATABASE_URL that is not a URL', () => ({ DATABASE_URL: `postgres://berth:${dbPassword}@127.0.0.1:99999999/berth` })],
    ['a wrong NATS password', () => ({ NATS_USER: 'berth', NATS_PASSWORD: `${natsPassword}-wrong`, DATABASE_URL: withPassword(db.options.url, dbPassword), DATABASE_SCHEMA: db.options.schema })],
  ])('a gateway failing on %s', async (_what, env) => {
    const gateway = await startService('api-gateway', { NATS_URL: nats.server.url, LOG_LEVEL: 'debug', ...env() });
    processes.push(gateway);
    await Promise.race([gateway.exited, new Promise((resolve) => setTimeout(resolve, 8_000))]);
    await gateway.stop();
    expect(gateway.output().length).toBeGreaterThan(0);
    for (const value of [...secrets, `${natsPassword}-wrong`]) expect(gateway.output()).not.toContain(value);
  });
});
