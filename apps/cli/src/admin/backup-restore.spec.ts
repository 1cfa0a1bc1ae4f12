import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createTestDatabase, dropSchema, TestDatabase } from '@berth/testing';
import { runBerth } from '../testing/run-cli.fixture';

jest.setTimeout(120_000);

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:latest' }] } };
const deployment = (name: string, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template },
});

/** Every column of every row, as text. */
async function rows(db: TestDatabase, schema = db.options.schema): Promise<string[]> {
  const result = await db.pool.query<{ row: string }>(
    `SELECT concat_ws('|', global_position, stream_id, stream_version, event_id, type, data::text, metadata::text, recorded_at::text) AS row FROM "${schema}".events ORDER BY 1`,
  );
  return result.rows.map((r) => r.row);
}

async function schemaExists(db: TestDatabase, schema: string): Promise<boolean> {
  return (await db.pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;
}

/** `berth admin` backup, restore and state against the real Postgres, the CLI run in-process. */
describe('berth admin backup / restore / state (real Postgres)', () => {
  let source: TestDatabase;
  let dir: string;
  let sourceRows: string[];
  let beforeScale: number;
  const targets: string[] = [];
  const env = (schema: string) => ({ DATABASE_URL: source.options.url, DATABASE_SCHEMA: schema });
  const newSchema = () => {
    const schema = `bkcli_${randomBytes(5).toString('hex')}`;
    targets.push(schema);
    return schema;
  };

  beforeAll(async () => {
    source = await createTestDatabase('bkcli_src');
    dir = mkdtempSync(join(tmpdir(), 'berth-backup-'));
    await source.store.append('deployment:default/web', 'no_stream', [{ type: 'DeploymentCreated', data: { manifest: deployment('web', 2) }, metadata: { actor: 'tester' } }]);
    beforeScale = await source.store.headPosition();
    await source.store.append('deployment:default/web', 0, [{ type: 'DeploymentScaled', data: { replicas: 5 } }]);
    // Enough events for several pages and batches.
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        source.store.append(`deployment:default/filler-${i}`, 'no_stream', [
          { type: 'DeploymentCreated', data: { manifest: deployment(`filler-${i}`, 1) } },
          ...Array.from({ length: 49 }, (_, j) => ({ type: 'DeploymentScaled', data: { replicas: j }, metadata: { correlationId: randomUUID() } })),
        ]),
      ),
    );
    sourceRows = await rows(source);
  });
  afterAll(async () => {
    for (const schema of targets) await dropSchema(schema);
    await source?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up to a file (0600, no partial left) and restores it into a new schema with identical rows', async () => {
    const file = join(dir, 'log.ndjson');
    const backup = await runBerth(['admin', 'backup', '-f', file], { env: env(source.options.schema) });
    expect(backup).toMatchObject({ code: 0, stderr: '' });
    expect(backup.stdout).toMatch(new RegExp(`^backed up 2502 events \\(last position ${await source.store.headPosition()}\\) of schema ${source.options.schema} to ${file} in .+ \\(\\d+ events/s\\)\\n$`));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['log.ndjson']);
    const header = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]) as Record<string, unknown>;
    expect(header).toMatchObject({ format: 'berth-event-log', formatVersion: 1, count: 2502, source: { database: 'postgres', schema: source.options.schema } });

    const target = newSchema();
    const restore = await runBerth(['admin', 'restore', '-f', file], { env: env(target) });
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(new RegExp(`^restored 2502 events \\(last position \\d+\\) into schema ${target} in .+; backup: 2502 events up to position \\d+, made .+ from postgres, schema ${source.options.schema}\\n$`));
    expect(restore.stderr).toContain('Start the services against this schema');
    expect(await rows(source, target)).toEqual(sourceRows);
  });

  it('gzips for *.gz and reads gzip back by its magic bytes; backs up to stdout and restores from stdin', async () => {
    const file = join(dir, 'log.ndjson.gz');
    expect((await runBerth(['admin', 'backup', '-f', file, '-q'], { env: env(source.options.schema) })).code).toBe(0);
    const bytes = readFileSync(file);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    const target = newSchema();
    expect((await runBerth(['admin', 'restore', '-f', file, '-q'], { env: env(target) })).code).toBe(0);
    expect(await rows(source, target)).toEqual(sourceRows);

    const piped = await runBerth(['admin', 'backup'], { env: env(source.options.schema) });
    expect(piped.code).toBe(0);
    expect(piped.stderr).toMatch(/^backed up 2502 events .* to stdout in /);
    const events = (text: string) => text.split('\n').slice(1, -2);
    expect(events(piped.stdout)).toEqual(events(gunzipSync(bytes).toString('utf8')));
    const fromStdin = newSchema();
    expect((await runBerth(['admin', 'restore', '-f', '-'], { env: env(fromStdin), stdin: piped.stdout })).code).toBe(0);
    expect(await rows(source, fromStdin)).toEqual(sourceRows);
  });

  it('refuses to restore into a log that has events, and changes nothing', async () => {
    const file = join(dir, 'refuse.ndjson');
    await runBerth(['admin', 'backup', '-f', file, '-q'], { env: env(source.options.schema) });
    const target = newSchema();
    expect((await runBerth(['admin', 'create-token', '--role', 'view', '--name', 'existing', '-q'], { env: env(target) })).code).toBe(0);
    const before = await rows(source, target);
    const refused = await runBerth(['admin', 'restore', '-f', file], { env: env(target) });
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: the event log in schema "${target}" is not empty (its last position is 1): restore only into an empty schema; nothing was restored\n`,
    });
    expect(await rows(source, target)).toEqual(before);
  });

  it('rejects truncated and corrupted files, plain or gzipped, with nothing written', async () => {
    const file = join(dir, 'good.ndjson');
    await runBerth(['admin', 'backup', '-f', file, '-q'], { env: env(source.options.schema) });
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const bad: [string, Buffer, RegExp][] = [
      ['truncated.ndjson', Buffer.from(lines.slice(0, 2000).join('\n') + '\n'), /^error: invalid backup .*truncated.ndjson: line 2000: the file ends after 1999 of 2502 events without its end line: it is truncated .*; nothing was restored\n$/],
      ['edited.ndjson', Buffer.from(text.replace('"replicas": 48', '"replicas": 49')), /^error: invalid backup .*: line 2504: checksum mismatch .*; nothing was restored\n$/],
      ['truncated.ndjson.gz', gzipSync(text).subarray(0, 9000), /^error: the backup's gzip data is damaged \(unexpected end of file\): the file is truncated or corrupted; nothing was restored\n$/],
      ['not-a-backup.json', Buffer.from('{"kind":"Deployment"}\n'), /^error: invalid backup .*: line 1: "format" must be "berth-event-log", got undefined: not a Berth event-log backup; nothing was restored\n$/],
      ['future.ndjson', Buffer.from(text.replace(/"logSchema":"[^"]+"/, '"logSchema":"SomethingNew1999999999999"')), /^error: the backup .* was made from event-log schema SomethingNew1999999999999, which this berth does not know \(it knows up to [A-Za-z]+\d+\)/],
    ];
    for (const [name, content, message] of bad) {
      const path = join(dir, name);
      writeFileSync(path, content);
      const target = newSchema();
      const result = await runBerth(['admin', 'restore', '-f', path], { env: env(target) });
      expect([name, result.code, result.stdout]).toEqual([name, 1, '']);
      expect(result.stderr).toMatch(message);
      if (await schemaExists(source, target)) expect(await rows(source, target)).toEqual([]);
      // --check finds the same problem without a database.
      const check = await runBerth(['admin', 'restore', '-f', path, '--check'], { env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' } });
      expect([name, check.code]).toEqual([name, 1]);
    }
    const ok = await runBerth(['admin', 'restore', '-f', file, '--check'], { env: {} });
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringMatching(/^backup .* is complete and intact: 2502 events up to position \d+, made /) });
  });

  it('names what is missing: -f, the file, the source log', async () => {
    expect((await runBerth(['admin', 'restore'], { env: env(newSchema()) })).stderr).toBe('error: -f/--file is required: the backup to restore (- reads stdin)\n');
    expect((await runBerth(['admin', 'restore', '-f', join(dir, 'nope.ndjson')], { env: env(newSchema()) })).stderr).toMatch(/^error: cannot read -f .*nope.ndjson: ENOENT/);
    const missing = newSchema();
    const backup = await runBerth(['admin', 'backup', '-f', join(dir, 'x.ndjson')], { env: env(missing) });
    expect(backup.stderr).toMatch(new RegExp(`^error: schema "${missing}" has no event log \\(no ${missing}.events table\\) at postgres://.*: check DATABASE_URL and DATABASE_SCHEMA\\n$`));
    expect(await schemaExists(source, missing)).toBe(false);
    expect(existsSync(join(dir, 'x.ndjson')) || existsSync(join(dir, 'x.ndjson.partial'))).toBe(false);
    expect((await runBerth(['admin', 'backup', '-f', join(dir, 'no-such-dir', 'x.ndjson')], { env: env(source.options.schema) })).stderr).toMatch(/^error: cannot write -f .*no-such-dir\/x.ndjson: ENOENT/);
  });

  it('state --at prints the cluster as of a past position, as tables, JSON or YAML', async () => {
    const past = await runBerth(['admin', 'state', '--at', String(beforeScale), '-o', 'json'], { env: env(source.options.schema) });
    expect(past.code).toBe(0);
    const snapshot = JSON.parse(past.stdout) as { position: number; headPosition: number; deployments: { name: string; desired: number }[] };
    expect(snapshot.position).toBe(beforeScale);
    expect(snapshot.headPosition).toBe(await source.store.headPosition());
    expect(snapshot.deployments).toEqual([expect.objectContaining({ name: 'web', desired: 2 })]);

    const now = await runBerth(['admin', 'state', '-n', 'default'], { env: env(source.options.schema) });
    expect(now.stdout).toMatch(/^Cluster state at position \d+, recorded .* \(the head of the log\) in namespace default\n/);
    expect(now.stdout).toMatch(/\ndefault +web +5 +0 +0 +0 +0 +nginx:latest\n/);
    expect(now.stdout).toMatch(/\ndefault +filler-7 +48 /);

    const yaml = await runBerth(['admin', 'state', '--at', '1', '-o', 'yaml'], { env: env(source.options.schema) });
    expect(yaml.stdout).toContain('position: 1\n');
    const byTime = await runBerth(['admin', 'state', '--at', new Date(Date.now() + 60_000).toISOString(), '-o', 'json'], { env: env(source.options.schema) });
    expect((JSON.parse(byTime.stdout) as { position: number }).position).toBe(await source.store.headPosition());

    expect((await runBerth(['admin', 'state', '--at', '99999999'], { env: env(source.options.schema) })).stderr).toMatch(/^error: --at 99999999 is past the end of the log \(its last position is \d+\)\n$/);
    expect((await runBerth(['admin', 'state', '--at', 'soon'], { env: env(source.options.schema) })).stderr).toMatch(/^error: --at: must be a log position/);
    expect((await runBerth(['admin', 'state', '-o', 'wide'], { env: env(source.options.schema) })).stderr).toBe('error: -o/--output: must be json or yaml (or left out for tables), got "wide"\n');
  });
});
