import fc from 'fast-check';
import { apiReadModelMigrations } from '@berth/api-read-models';
import { createTestDatabase, ServiceProcess, startService, TestDatabase, waitForHttp } from '@berth/testing';
import { closeAgent, deployment, describeRequest, hostileRequest, HostileRequest, KINDS, NAMES, NAMESPACES, RawAnswer, send } from './hostile-input.fixture';

/**
 * Fuzzing the HTTP API: a real gateway process on a real Postgres schema answers thousands of
 * generated hostile requests. After every one: no 5xx, the process is alive, a rejected request
 * (4xx) appended nothing to the log, and every error is a Kubernetes Status (422s name fields).
 * FUZZ_RUNS raises the number of requests (default 3000), FUZZ_SEED replays a failing run.
 */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 3000);
const SEED = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : undefined;

interface StatusBody {
  kind?: unknown;
  apiVersion?: unknown;
  status?: unknown;
  code?: unknown;
  reason?: unknown;
  message?: unknown;
  details?: { causes?: { field?: unknown; message?: unknown; reason?: unknown }[] };
}

/** What is wrong with one answer; empty when it keeps every promise. */
export function violations(input: HostileRequest, answer: RawAnswer, appended: number): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`server error ${answer.status}: ${answer.text.slice(0, 500)}`);
  if (answer.status >= 400 && appended !== 0) problems.push(`rejected with ${answer.status} but appended ${appended} event(s)`);
  if (answer.status < 400 || input.method === 'HEAD') return problems;
  let body: StatusBody;
  try {
    body = JSON.parse(answer.text) as StatusBody;
  } catch {
    return [...problems, `a ${answer.status} without a JSON body: ${answer.text.slice(0, 300)}`];
  }
  if (body.kind !== 'Status' || body.apiVersion !== 'v1' || body.status !== 'Failure' || body.code !== answer.status) {
    problems.push(`not a Kubernetes Status for ${answer.status}: ${answer.text.slice(0, 300)}`);
  }
  if (typeof body.message !== 'string' || body.message.length === 0) problems.push('a Status without a message');
  if (typeof body.reason !== 'string' || body.reason.length === 0) problems.push('a Status without a reason');
  if (answer.status === 422) {
    const causes = body.details?.causes ?? [];
    const patchFailed = input.method === 'PATCH' && /could not be applied/.test(String(body.message));
    if (!patchFailed && causes.length === 0) problems.push(`a 422 that names no field: ${answer.text.slice(0, 300)}`);
    for (const cause of causes) if (typeof cause.field !== 'string') problems.push(`a 422 cause without a field: ${JSON.stringify(cause)}`);
  }
  return problems;
}

/** Log lines at error level or above (the exception filter logs every server fault). */
function errorLines(output: string): string[] {
  return output.split('\n').filter((line) => /"level":(50|60)/.test(line));
}

describe('fuzzing the HTTP API with hostile requests (real gateway process, real Postgres)', () => {
  let db: TestDatabase;
  let gateway: ServiceProcess;
  let url: string;
  const statuses = new Map<number, number>();

  const alive = () => gateway.process.exitCode === null && gateway.process.signalCode === null;

  async function check(input: HostileRequest): Promise<void> {
    const before = await db.store.headPosition();
    let answer: RawAnswer;
    try {
      answer = await send(url, input);
    } catch (error) {
      throw new Error(`no answer (${String(error)}); gateway ${alive() ? 'alive' : 'DEAD'}\n${describeRequest(input)}\n${gateway.output().slice(-3000)}`);
    }
    const appended = (await db.store.headPosition()) - before;
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    const problems = violations(input, answer, appended);
    if (!alive()) problems.push('the gateway process exited');
    if (problems.length > 0) throw new Error(`${problems.join('\n')}\n${describeRequest(input)}\n${errorLines(gateway.output()).slice(-3).join('\n')}`);
  }

  beforeAll(async () => {
    db = await createTestDatabase('gwfuzz', { migrations: apiReadModelMigrations });
    gateway = await startService('api-gateway', {
      DATABASE_URL: db.options.url,
      DATABASE_SCHEMA: db.options.schema,
      RELAY_ENABLED: 'false',
      ANONYMOUS: 'true',
      LOG_LEVEL: 'warn',
      READ_WAIT_MS: '30000',
    });
    url = `http://127.0.0.1:${gateway.port}`;
    await waitForHttp(`${url}/healthz`, gateway, 60_000);
    // Some objects to update, patch and delete, in both namespaces.
    const json = { 'content-type': 'application/json' };
    await send(url, { label: 'setup', method: 'POST', path: '/api/v1/namespaces', headers: json, body: Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fuzz' } })) });
    for (const namespace of NAMESPACES) {
      for (const kind of KINDS.slice(1)) {
        for (const name of NAMES.slice(0, 2)) {
          const answer = await send(url, { label: 'setup', method: 'POST', path: kind.collection(namespace), headers: json, body: Buffer.from(JSON.stringify(kind.manifest(name, namespace))) });
          expect(answer.status).toBe(201);
        }
      }
    }
  }, 120_000);

  afterAll(async () => {
    closeAgent();
    await gateway?.stop();
    await db?.cleanup();
  });

  it(
    `answers ${RUNS} hostile requests without a 5xx, a crash, or an append for a rejected one`,
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileRequest, (input) => check(input)),
        { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: true },
      );
      // The mix must reach both sides: requests that were taken and requests that were refused.
      const taken = [...statuses].filter(([code]) => code < 300).reduce((n, [, count]) => n + count, 0);
      const refused = [...statuses].filter(([code]) => code >= 400).reduce((n, [, count]) => n + count, 0);
      process.stdout.write(`fuzz: ${RUNS} hostile requests, answers by status ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}\n`);
      expect(taken).toBeGreaterThan(RUNS / 50);
      expect(refused).toBeGreaterThan(RUNS / 4);
      expect(alive()).toBe(true);
      // No request was a server fault: the exception filter logs those at error level.
      expect(errorLines(gateway.output())).toEqual([]);
    },
    30 * 60_000,
  );

  it('still serves normal requests afterwards', async () => {
    const answer = await send(url, { label: 'after', method: 'POST', path: '/apis/apps/v1/namespaces/default/deployments', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(deployment('after-fuzz', 'default'))) });
    expect(answer.status).toBe(201);
  });
});
