// npm run bench:api — the gateway under load (autocannon at a fixed 500 requests/s, coordinated
// omission corrected): list deployments (reads), create deployments with unique names (writes,
// each answered once the read model shows it), then both at once. The gateway runs as its own
// process on a schema of its own. Prints a table, writes bench-results/api.json, and ends with
// one JSON line. A first phase on GET /version (no database) shows what the machine itself allows.
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dropSchema, startService, TEST_DATABASE_URL, waitForHttp } from '@berth/testing';

/** The parts of autocannon's (untyped) API this script uses. */
interface Histogram {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
interface AutocannonResult {
  latency: Histogram;
  requests: { average: number; total: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  overallRate: number;
  duration: number;
  requests: (AutocannonRequest & { setupRequest?: (request: AutocannonRequest) => AutocannonRequest })[];
}
type Autocannon = (options: AutocannonOptions, done: (error: Error | null, result: AutocannonResult) => void) => { on(event: 'response', listener: () => void): void };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

const RATE = Number(process.env['BENCH_RATE'] ?? 500);
const DURATION = Number(process.env['BENCH_DURATION'] ?? 15);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 10);
const SEEDED = 20;
const TARGET = { readP99Ms: 25, writeP99Ms: 50 };
const ANCHOR = 'Kubernetes API SLO: p99 <= 1 s';

const deployment = (name: string) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: 'bench' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:latest', ports: [{ containerPort: 80 }] }] } },
    },
  });

function run(label: string, options: AutocannonOptions): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    let answered = 0;
    const started = Date.now();
    const ticker = setInterval(() => {
      const seconds = (Date.now() - started) / 1000;
      process.stdout.write(`\r  ${label}: ${seconds.toFixed(0)}/${options.duration} s, ${answered} answered (${Math.round(answered / seconds)}/s)   `);
    }, 1000);
    const instance = autocannon(options, (error, result) => {
      clearInterval(ticker);
      process.stdout.write('\n');
      if (error) reject(error);
      else resolve(result);
    });
    instance.on('response', () => answered++);
  });
}

async function post(url: string, path: string, body: string): Promise<void> {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
}

async function main(): Promise<void> {
  const schema = `bench_api_${randomBytes(4).toString('hex')}`;
  console.log(`api benchmark: ${RATE} requests/s for ${DURATION} s per phase, ${CONNECTIONS} connections, schema ${schema}`);
  const gateway = await startService('api-gateway', {
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    ANONYMOUS: 'true',
    RELAY_ENABLED: 'false',
    LOG_LEVEL: 'warn',
  });
  const url = `http://127.0.0.1:${gateway.port}`;
  try {
    await waitForHttp(`${url}/healthz`, gateway, 60_000);
    for (const ns of ['bench-read', 'bench-write', 'bench-mixed']) await post(url, '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
    for (let i = 0; i < SEEDED; i++) await post(url, '/apis/apps/v1/namespaces/bench-read/deployments', deployment(`seed-${i}`));
    const readPath = '/apis/apps/v1/namespaces/bench-read/deployments';
    // Warm-up: JIT, connection pools, query plans.
    await run('warm-up', { url, connections: CONNECTIONS, overallRate: RATE, duration: 3, requests: [{ method: 'GET', path: readPath }] });

    let counter = 0;
    const create = (namespace: string) => ({
      method: 'POST',
      path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
      headers: { 'content-type': 'application/json' },
      setupRequest: (request: AutocannonRequest) => ({ ...request, body: deployment(`d-${++counter}`) }),
    });
    // What this machine gives a route that touches no database: the floor under the others.
    const floor = await run('floor (GET /version)', { url, connections: CONNECTIONS, overallRate: RATE, duration: DURATION, requests: [{ method: 'GET', path: '/version' }] });
    const reads = await run('reads (list 20 deployments)', { url, connections: CONNECTIONS, overallRate: RATE, duration: DURATION, requests: [{ method: 'GET', path: readPath }] });
    const writes = await run('writes (create deployment)', { url, connections: CONNECTIONS, overallRate: RATE, duration: DURATION, requests: [create('bench-write')] });
    const mixed = await run('mixed (4 reads : 1 write)', {
      url,
      connections: CONNECTIONS,
      overallRate: RATE,
      duration: DURATION,
      requests: [{ method: 'GET', path: readPath }, { method: 'GET', path: readPath }, { method: 'GET', path: readPath }, { method: 'GET', path: readPath }, create('bench-mixed')],
    });

    const row = (name: string, r: AutocannonResult, target?: number) => ({
      phase: name,
      requests: r.requests.total,
      rps: Math.round(r.requests.total / r.duration),
      p50Ms: r.latency.p50,
      p90Ms: r.latency.p90,
      p99Ms: r.latency.p99,
      maxMs: r.latency.max,
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
      // Met: the latency target, at (nearly) the offered rate, without errors.
      ...(target !== undefined ? { targetP99Ms: target, met: r.latency.p99 < target && r.requests.total / r.duration >= RATE * 0.95 && r.non2xx === 0 && r.errors === 0 } : {}),
    });
    const rows = [row('floor', floor), row('reads', reads, TARGET.readP99Ms), row('writes', writes, TARGET.writeP99Ms), row('mixed', mixed)];
    console.table(rows);
    const summary = { readP99Ms: reads.latency.p99, writeP99Ms: writes.latency.p99, rps: Math.min(rows[1].rps, rows[2].rps) };
    mkdirSync('bench-results', { recursive: true });
    writeFileSync(
      'bench-results/api.json',
      `${JSON.stringify({ benchmark: 'api', at: new Date().toISOString(), rate: RATE, durationSeconds: DURATION, connections: CONNECTIONS, anchor: ANCHOR, targets: TARGET, phases: rows, ...summary }, null, 2)}\n`,
    );
    console.log(`targets: reads p99 < ${TARGET.readP99Ms} ms, writes p99 < ${TARGET.writeP99Ms} ms at ${RATE}/s (anchor: ${ANCHOR})`);
    console.log(JSON.stringify(summary));
  } finally {
    await gateway.stop();
    await dropSchema(schema);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
