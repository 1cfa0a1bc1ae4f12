import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer, list } from './testing/fake-api.fixture';
import { runBerth } from './testing/run-cli.fixture';

const TOKEN = 'berth_ci_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA';

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('berth config and settings precedence', () => {
  let api: FakeApiServer;
  beforeAll(async () => {
    api = await FakeApiServer.start();
  });
  afterAll(() => api.close());
  beforeEach(() => {
    api.reset();
    api.json('GET', /^\/api\/v1\/namespaces\/[\w-]+\/pods$/, list('Pod', []));
  });

  it('config set writes ~/.berth/config.yaml under $HOME, and config view never shows the token', async () => {
    const home = mkdtempSync(join(tmpdir(), 'berth-home-'));
    const env = { HOME: home };
    expect((await runBerth(['config', 'set', 'server', api.url], { env })).stdout).toBe('Property "server" set.\n');
    expect((await runBerth(['config', 'set', 'token', '-'], { env, stdin: `${TOKEN}\n` })).stdout).toBe('Property "token" set.\n');
    expect((await runBerth(['config', 'set', 'namespace', 'team-a'], { env })).code).toBe(0);
    expect(readFileSync(join(home, '.berth', 'config.yaml'), 'utf8')).toBe(`server: ${api.url}\ntoken: ${TOKEN}\nnamespace: team-a\n`);
    const view = await runBerth(['config', 'view'], { env });
    expect(view.stdout).toBe(`server: ${api.url}\ntoken: REDACTED\nnamespace: team-a\n`);

    // The file alone is enough to reach the server with the token, in the file's namespace.
    await runBerth(['get', 'pods'], { env });
    const [request] = api.requests;
    expect(request.path).toBe('/api/v1/namespaces/team-a/pods');
    expect(request.headers['authorization']).toBe(`Bearer ${TOKEN}`);

    expect((await runBerth(['config', 'unset', 'token'], { env })).stdout).toBe('Property "token" unset.\n');
    expect((await runBerth(['config', 'view'], { env })).stdout).toBe(`server: ${api.url}\nnamespace: team-a\n`);
  });

  it('BERTH_* variables override the file and flags override both', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'berth-cfg-')), 'berth.yaml');
    writeFileSync(path, `server: http://127.0.0.1:1\ntoken: file-token\nnamespace: from-file\n`);
    const env = { BERTH_CONFIG: path, BERTH_SERVER: api.url, BERTH_TOKEN: 'env-token', BERTH_NAMESPACE: 'from-env' };
    await runBerth(['get', 'pods'], { env });
    await runBerth(['get', 'pods', '-n', 'from-flag', '--token', 'flag-token'], { env });
    expect(api.requests.map((r) => [r.path, r.headers['authorization']])).toEqual([
      ['/api/v1/namespaces/from-env/pods', 'Bearer env-token'],
      ['/api/v1/namespaces/from-flag/pods', 'Bearer flag-token'],
    ]);
    const effective = await runBerth(['config', 'view', '--effective', '--server', api.url], { env });
    expect(effective.stdout).toBe(`server: ${api.url}  # flag --server\nnamespace: from-env  # env BERTH_NAMESPACE\ntoken: REDACTED  # env BERTH_TOKEN\n`);
  });

  it('refuses bad values and names where they came from', async () => {
    const home = mkdtempSync(join(tmpdir(), 'berth-home-'));
    expect(await runBerth(['config', 'set', 'server', 'localhost:8080'], { env: { HOME: home } })).toMatchObject({ code: 1, stderr: expect.stringContaining('invalid server "localhost:8080"') });
    expect(await runBerth(['config', 'set', 'colour', 'blue'], { env: { HOME: home } })).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown property "colour"') });
    expect(await runBerth(['get', 'pods'], { env: { HOME: home, BERTH_NAMESPACE: 'Not Valid' } })).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('invalid namespace "Not Valid" (BERTH_NAMESPACE)'),
    });
  });
});

describe('berth errors', () => {
  let api: FakeApiServer;
  beforeAll(async () => {
    api = await FakeApiServer.start();
  });
  afterAll(() => api.close());
  beforeEach(() => api.reset());

  it('a refused connection is one line naming the server', async () => {
    const server = `http://127.0.0.1:${await closedPort()}`;
    const result = await runBerth(['get', 'pods'], { server });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`was refused - is the Berth API server running at ${server}?`);
  });

  it('401 hints at the token (none set, or not accepted), and never prints a token that is', async () => {
    api.status('GET', '/api/v1/namespaces/default/pods', 401, 'Unauthorized', 'Unauthorized');
    const anonymous = await runBerth(['get', 'pods'], { server: api.url });
    expect(anonymous.stderr).toBe('Error from server (Unauthorized): Unauthorized\nhint: no token is set; use --token, BERTH_TOKEN or `berth config set token <token>`\n');
    const withToken = await runBerth(['get', 'pods', '--token', TOKEN], { server: api.url });
    expect(withToken.stderr).toMatch(/^Error from server \(Unauthorized\): Unauthorized\nhint: the server did not accept the token .*\n$/);
    expect(withToken.stdout + withToken.stderr).not.toContain(TOKEN);
  });

  it('a non-Status error body still reads like kubectl', async () => {
    api.on('GET', '/api/v1/namespaces/default/pods', (_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' }).end('<h1>bad gateway</h1>');
    });
    expect((await runBerth(['get', 'pods'], { server: api.url })).stderr).toBe(
      'Error from server (InternalError): an error on the server ("<h1>bad gateway</h1>") has prevented the request from succeeding\n',
    );
  });

  it('usage errors exit 1 with commander\'s message; help exits 0', async () => {
    expect(await runBerth(['frobnicate'], { server: api.url })).toMatchObject({ code: 1, stderr: expect.stringContaining("unknown command 'frobnicate'") });
    expect(await runBerth(['get', 'pods', '--bogus'], { server: api.url })).toMatchObject({ code: 1, stderr: expect.stringContaining("unknown option '--bogus'") });
    const help = await runBerth(['get', '--help'], { server: api.url });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--all-namespaces');
    expect(api.requests).toHaveLength(0);
  });
});
