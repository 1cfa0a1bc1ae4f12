import { createHash } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '@berth/testing';
import { runBerth } from './testing/run-cli.fixture';

/** Token commands append straight to the event log: this runs them against the real Postgres. */
describe('berth admin (real Postgres event log)', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDatabase('cli_admin');
    env = { DATABASE_URL: db.options.url, DATABASE_SCHEMA: db.options.schema };
  });
  afterAll(() => db.cleanup());

  it('create-token appends TokenCreated {role, namespace, sha256} to token:<id> and prints the token once', async () => {
    const result = await runBerth(['admin', 'create-token', '--role', 'edit', '--namespace', 'team-a', '--name', 'ci-deployer'], { env });
    expect(result.code).toBe(0);
    const token = /^token: +(\S+)$/m.exec(result.stdout)?.[1] ?? '';
    expect(token).toMatch(/^berth_ci-deployer_[A-Za-z0-9_-]{43}$/);
    expect(result.stdout).toMatch(/^id: +ci-deployer\nrole: +edit\nnamespace: +team-a\n/);
    expect(result.stderr).toContain('shown only this once');
    const [created] = await db.store.readStream('token:ci-deployer');
    expect(created.type).toBe('TokenCreated');
    expect(created.data).toEqual({ role: 'edit', namespace: 'team-a', hash: createHash('sha256').update(token).digest('hex') });
    expect(JSON.stringify(created)).not.toContain(token);
  });

  it('makes random ids for cluster-wide tokens, -q prints only the token, and -n works like --namespace', async () => {
    const quiet = await runBerth(['admin', 'create-token', '--role', 'view', '-q'], { env });
    const id = /^berth_([0-9a-f]{12})_/.exec(quiet.stdout)?.[1] ?? '';
    expect(quiet.stdout).toMatch(/^berth_[0-9a-f]{12}_[A-Za-z0-9_-]{43}\n$/);
    expect((await db.store.readStream(`token:${id}`))[0].data).toEqual({ role: 'view', hash: createHash('sha256').update(quiet.stdout.trim()).digest('hex') });
    const scoped = await runBerth(['admin', 'create-token', '--role', 'admin', '-n', 'ops', '--name', 'ops-admin'], { env });
    expect(scoped.code).toBe(0);
    expect((await db.store.readStream('token:ops-admin'))[0].data).toMatchObject({ role: 'admin', namespace: 'ops' });
  });

  it('refuses a second token with the same id: the append expects no stream', async () => {
    await runBerth(['admin', 'create-token', '--role', 'view', '--name', 'twice'], { env });
    const again = await runBerth(['admin', 'create-token', '--role', 'admin', '--name', 'twice'], { env });
    expect(again).toMatchObject({ code: 1, stdout: '', stderr: 'error: a token with id "twice" already exists\n' });
    expect(await db.store.readStream('token:twice')).toHaveLength(1);
  });

  it('revoke-token appends TokenRevoked once, and knows unknown ids', async () => {
    await runBerth(['admin', 'create-token', '--role', 'edit', '--name', 'to-revoke'], { env });
    expect(await runBerth(['admin', 'revoke-token', 'to-revoke'], { env })).toEqual({ code: 0, stdout: 'token to-revoke revoked\n', stderr: '' });
    expect((await db.store.readStream('token:to-revoke')).map((e) => e.type)).toEqual(['TokenCreated', 'TokenRevoked']);
    expect((await runBerth(['admin', 'revoke-token', 'to-revoke'], { env })).stderr).toBe('error: token "to-revoke" is already revoked\n');
    expect((await runBerth(['admin', 'revoke-token', 'nobody'], { env })).stderr).toBe('error: token "nobody" not found\n');
  });

  it('validates the role and the database settings before touching anything', async () => {
    expect((await runBerth(['admin', 'create-token', '--role', 'root'], { env })).stderr).toBe('error: invalid role "root": must be admin, edit or view\n');
    const bad = await runBerth(['admin', 'create-token', '--role', 'view'], { env: { DATABASE_URL: 'not a url' } });
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining('DATABASE_URL: must be a URL') });
  });
});
