// npm run bench:api — the gateway under load. Requests go out at a fixed rate (open loop: request
// i is due at start + i/rate whatever the answers before it did) over a pool of keep-alive
// connections, and each latency runs from the moment the request was due, so a stalled server
// cannot hide its queue (no coordinated omission). Phases: GET /version (no database: what the
// machine itself allows), list 20 deployments (reads), create deployments with unique names
// (writes, each answered once the read model shows it), a 4:1 mix, then the write capacity
// (autocannon, closed loop, no rate limit). The gateway runs as its own process on a schema of its
// own; its CPU and its Postgres backends' CPU are measured per request, and the load average is
// printed with each phase because on a shared 2-core machine it moves every figure.
// Prints a table, writes bench-results/api.json, and ends with one JSON line.
// Knobs: BENCH_RATE, BENCH_DURATION (s per phase), BENCH_CONNECTIONS, BENCH_CAPACITY_CONNECTIONS,
// BENCH_PHASES (floor,reads,writes,mixed,capacity); BERTH_CPU_PROFILE_DIR=dir profiles the gateway.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { dropSchema, startService, TEST_DATABASE_URL, waitForHttp, WORKSPACE_ROOT } from '@berth/testing';

const RATE = Number(process.env['BENCH_RATE'] ?? 500);
const DURATION = Number(process.env['BENCH_DURATION'] ?? 15);
/** Most connections the load generator opens (it opens them as the latency requires). */
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 128);
/** In-flight requests of the closed-loop capacity phase. */
const CAPACITY_CONNECTIONS = Number(process.env['BENCH_CAPACITY_CONNECTIONS'] ?? 32);
const PHASES = (process.env['BENCH_PHASES'] ?? 'floor,reads,writes,mixed,capacity').split(',');
const SEEDED = 20;
const TARGET = { readP99Ms: 25, writeP99Ms: 50 };
const ANCHOR = 'Kubernetes API SLO: p99 <= 1 s';
/** A request still unanswered this long after the last one was due counts as an error. */
const DRAIN_MS = 30_000;

interface Req {
  method: string;
  path: string;
  body?: () => string;
}

interface PhaseResult {
  phase: string;
  offeredRps: number;
  rps: number;
  requests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  /** CPU of the gateway process and of its Postgres backends, per request (ms). */
  gatewayCpuMs: number;
  postgresCpuMs: number;
  /** 1-minute load average at the end of the phase (2 cores: above 2 the CPU is oversubscribed). */
  load: number;
  targetP99Ms?: number;
  met?: boolean;
  /** % of the requests the gateway itself answered within the target (from its request histogram). */
  gatewayWithinTargetPct?: number;
}

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

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** CPU time (user + system) a process has used, in ms; Linux only (0 elsewhere). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** CPU of the gateway and of the Postgres backends serving it (found by their application_name). */
class CpuMeter {
  constructor(
    private readonly db: Client,
    private readonly gatewayPid: number,
    private readonly applicationName: string,
  ) {}

  async sample(): Promise<{ gateway: number; backends: Map<number, number> }> {
    const pids = await this.db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [this.applicationName]);
    return { gateway: cpuMs(this.gatewayPid), backends: new Map(pids.rows.map((r) => [r.pid, cpuMs(r.pid)])) };
  }

  static delta(before: Awaited<ReturnType<CpuMeter['sample']>>, after: Awaited<ReturnType<CpuMeter['sample']>>): { gateway: number; postgres: number } {
    let postgres = 0;
    for (const [pid, ms] of after.backends) postgres += ms - (before.backends.get(pid) ?? 0);
    return { gateway: after.gateway - before.gateway, postgres };
  }
}

/** Open-loop load: `rate` requests per second for `seconds`, cycling through `requests`. */
async function fixedRate(url: URL, agent: Agent, label: string, requests: Req[], rate: number, seconds: number) {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const errorKinds = new Map<string, number>();
  let answered = 0;
  let lastDone = 0;
  const started = performance.now();
  const ticker = setInterval(() => {
    const s = (performance.now() - started) / 1000;
    process.stdout.write(`\r  ${label}: ${s.toFixed(0)}/${seconds} s, ${answered} answered (${Math.round(answered / s)}/s)   `);
  }, 1000);
  await new Promise<void>((resolve) => {
    let sent = 0;
    let open = 0;
    const finish = (due: number, status: number | undefined, error?: Error) => {
      const now = performance.now();
      open--;
      answered++;
      lastDone = now;
      if (status === undefined) {
        errors++;
        const kind = (error as NodeJS.ErrnoException | undefined)?.code ?? error?.message ?? 'unknown';
        errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
      }
      else {
        if (status < 200 || status > 299) non2xx++;
        latencies.push(now - due);
      }
      if (sent === total && open === 0) resolve();
    };
    const send = (index: number, due: number) => {
      const r = requests[index % requests.length];
      const body = r.body?.();
      open++;
      let done = false;
      const once = (status: number | undefined, error?: Error) => {
        if (!done) {
          done = true;
          finish(due, status, error);
        }
      };
      const req = request(
        { agent, host: url.hostname, port: url.port, method: r.method, path: r.path, headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} },
        (res) => {
          res.resume();
          res.on('end', () => once(res.statusCode));
          res.on('error', (error) => once(undefined, error));
        },
      );
      req.setTimeout(DRAIN_MS, () => req.destroy(new Error('timeout')));
      req.on('error', (error) => once(undefined, error));
      req.end(body);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && started + (sent * 1000) / rate <= now) {
        send(sent, started + (sent * 1000) / rate);
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, started + (sent * 1000) / rate - performance.now()));
      else if (open === 0) resolve();
    };
    tick();
  });
  clearInterval(ticker);
  process.stdout.write(errorKinds.size > 0 ? `  errors: ${JSON.stringify(Object.fromEntries(errorKinds))}\n` : '\n');
  latencies.sort((a, b) => a - b);
  const window = Math.max(seconds * 1000, lastDone - started) / 1000;
  return {
    requests: total,
    rps: Math.round((total - errors) / window),
    p50Ms: round(percentile(latencies, 50)),
    p90Ms: round(percentile(latencies, 90)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies[latencies.length - 1] ?? NaN),
    non2xx,
    errors,
  };
}

/** Closed loop (autocannon): `connections` requests always in flight, as fast as the gateway answers. */
async function capacity(url: string, connections: number, seconds: number, request: { method: string; path: string; setupRequest: (r: Record<string, unknown>) => Record<string, unknown> }) {
  const autocannon = require('autocannon') as (
    options: Record<string, unknown>,
    done: (error: Error | null, result: { requests: { total: number }; duration: number; latency: { p50: number; p99: number }; non2xx: number; errors: number; timeouts: number }) => void,
  ) => void;
  return new Promise<{ rps: number; p50Ms: number; p99Ms: number; non2xx: number; errors: number; requests: number }>((resolve, reject) =>
    autocannon({ url, connections, duration: seconds, requests: [{ ...request, headers: { 'content-type': 'application/json' } }] }, (error, result) =>
      error
        ? reject(error)
        : resolve({
            requests: result.requests.total,
            rps: Math.round(result.requests.total / result.duration),
            p50Ms: result.latency.p50,
            p99Ms: result.latency.p99,
            non2xx: result.non2xx,
            errors: result.errors + result.timeouts,
          }),
    ),
  );
}

/** Means of the gateway's write phases (check, append, read_model) between two /metrics scrapes, in ms. */
function writePhases(before: string, after: string): Record<string, number> {
  const parse = (text: string) => {
    const values: Record<string, number> = {};
    for (const m of text.matchAll(/^berth_api_write_phase_seconds_(sum|count)\{[^}]*phase="(\w+)"[^}]*\} (\S+)$/gm)) values[`${m[2]}.${m[1]}`] = Number(m[3]);
    return values;
  };
  const a = parse(before);
  const b = parse(after);
  const phases: Record<string, number> = {};
  for (const phase of ['check', 'append', 'read_model']) {
    const count = (b[`${phase}.count`] ?? 0) - (a[`${phase}.count`] ?? 0);
    if (count > 0) phases[phase] = round((((b[`${phase}.sum`] ?? 0) - (a[`${phase}.sum`] ?? 0)) / count) * 1000, 2);
  }
  return phases;
}

/** Labels and value of each sample of a Prometheus text exposition, for one metric name. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const found: { labels: Record<string, string>; value: number }[] = [];
  for (const m of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    found.push({ labels: Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]])), value: Number(m[2]) });
  }
  return found;
}

/**
 * Share of a route's requests (between two /metrics scrapes) that the gateway itself answered
 * within `ms` (its request histogram has a bucket there): tells the server's part of the
 * latency from the time a request waited to be read, and from the load generator's own delays.
 */
function withinInGateway(before: string, after: string, method: string, route: string, ms: number): number | undefined {
  const count = (text: string, le: string) =>
    samples(text, 'berth_api_request_duration_seconds_bucket')
      .filter((s) => s.labels['method'] === method && s.labels['route'] === route && s.labels['le'] === le)
      .reduce((sum, s) => sum + s.value, 0);
  const total = count(after, '+Inf') - count(before, '+Inf');
  const within = count(after, String(ms / 1000)) - count(before, String(ms / 1000));
  return total > 0 ? round((within / total) * 100, 2) : undefined;
}

async function post(url: string, path: string, body: string): Promise<void> {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
}

async function main(): Promise<void> {
  const id = randomBytes(4).toString('hex');
  const schema = `bench_api_${id}`;
  const applicationName = `bench-api-${id}`;
  const databaseUrl = new URL(TEST_DATABASE_URL);
  // Marks the gateway's Postgres backends, so their CPU can be told from other clients'.
  databaseUrl.searchParams.set('application_name', applicationName);
  console.log(`api benchmark: ${RATE} requests/s for ${DURATION} s per phase (open loop, up to ${CONNECTIONS} connections), schema ${schema}, load ${loadavg()[0].toFixed(1)}`);
  const profileDir = process.env['BERTH_CPU_PROFILE_DIR'];
  const gateway = await startService('api-gateway', {
    DATABASE_URL: databaseUrl.toString(),
    DATABASE_SCHEMA: schema,
    ANONYMOUS: 'true',
    RELAY_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    // A V8 CPU profile of the gateway, written to $BERTH_CPU_PROFILE_DIR when it stops.
    ...(profileDir ? { NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --require ${join(WORKSPACE_ROOT, 'tools/bench/cpu-profile.js')}`.trim() } : {}),
  });
  const url = `http://127.0.0.1:${gateway.port}`;
  // Idle sockets are closed before the server's keep-alive timeout (5 s) could close one under a request.
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS, timeout: 4_000 });
  const db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  try {
    await waitForHttp(`${url}/healthz`, gateway, 60_000);
    const meter = new CpuMeter(db, gateway.process.pid ?? 0, applicationName);
    for (const ns of ['bench-read', 'bench-write', 'bench-mixed', 'bench-warm', 'bench-capacity']) {
      await post(url, '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
    }
    for (let i = 0; i < SEEDED; i++) await post(url, '/apis/apps/v1/namespaces/bench-read/deployments', deployment(`seed-${i}`));
    const read: Req = { method: 'GET', path: '/apis/apps/v1/namespaces/bench-read/deployments' };
    let counter = 0;
    const create = (namespace: string): Req => ({ method: 'POST', path: `/apis/apps/v1/namespaces/${namespace}/deployments`, body: () => deployment(`d-${++counter}`) });
    const endpoint = new URL(url);
    // Warm-up at the full rate: JIT of both paths, the connections the rate needs, query plans.
    await fixedRate(endpoint, agent, 'warm-up', [read, create('bench-warm')], RATE, 5);

    const rows: PhaseResult[] = [];
    let phases: Record<string, number> = {};
    const route = '/apis/apps/v1/namespaces/:namespace/deployments';
    const measure = async (phase: string, requests: Req[], target?: { p99Ms: number; method: string }) => {
      const metricsBefore = await (await fetch(`${url}/metrics`)).text();
      const before = await meter.sample();
      const result = await fixedRate(endpoint, agent, phase, requests, RATE, DURATION);
      const cpu = CpuMeter.delta(before, await meter.sample());
      const metricsAfter = await (await fetch(`${url}/metrics`)).text();
      if (phase === 'writes') phases = writePhases(metricsBefore, metricsAfter);
      const targetP99Ms = target?.p99Ms;
      rows.push({
        phase,
        offeredRps: RATE,
        ...result,
        gatewayCpuMs: round(cpu.gateway / result.requests, 2),
        postgresCpuMs: round(cpu.postgres / result.requests, 2),
        load: round(loadavg()[0]),
        // Met: the latency target, at (nearly) the offered rate, without errors.
        ...(targetP99Ms !== undefined ? { targetP99Ms, met: result.p99Ms < targetP99Ms && result.rps >= RATE * 0.95 && result.non2xx === 0 && result.errors === 0 } : {}),
        ...(target ? { gatewayWithinTargetPct: withinInGateway(metricsBefore, metricsAfter, target.method, route, target.p99Ms) } : {}),
      });
    };
    if (PHASES.includes('floor')) await measure('floor', [{ method: 'GET', path: '/version' }]);
    if (PHASES.includes('reads')) await measure('reads', [read], { p99Ms: TARGET.readP99Ms, method: 'GET' });
    if (PHASES.includes('writes')) await measure('writes', [create('bench-write')], { p99Ms: TARGET.writeP99Ms, method: 'POST' });
    if (PHASES.includes('mixed')) await measure('mixed', [read, read, read, read, create('bench-mixed')]);
    let closedLoop: Awaited<ReturnType<typeof capacity>> | undefined;
    if (PHASES.includes('capacity')) {
      process.stdout.write(`  capacity: writes with ${CAPACITY_CONNECTIONS} in flight, ${DURATION} s\n`);
      closedLoop = await capacity(url, CAPACITY_CONNECTIONS, DURATION, {
        method: 'POST',
        path: '/apis/apps/v1/namespaces/bench-capacity/deployments',
        setupRequest: (r) => ({ ...r, body: deployment(`c-${++counter}`) }),
      });
    }

    console.table(rows);
    if (Object.keys(phases).length > 0) console.log(`writes, mean ms per phase in the gateway: ${JSON.stringify(phases)}`);
    if (closedLoop) console.log(`write capacity (closed loop, ${CAPACITY_CONNECTIONS} in flight): ${closedLoop.rps} writes/s, p50 ${closedLoop.p50Ms} ms, p99 ${closedLoop.p99Ms} ms, non-2xx ${closedLoop.non2xx}, errors ${closedLoop.errors}`);
    const reads = rows.find((r) => r.phase === 'reads');
    const writes = rows.find((r) => r.phase === 'writes');
    const summary = { readP99Ms: reads?.p99Ms ?? null, writeP99Ms: writes?.p99Ms ?? null, rps: Math.min(reads?.rps ?? Infinity, writes?.rps ?? Infinity) };
    mkdirSync('bench-results', { recursive: true });
    writeFileSync(
      'bench-results/api.json',
      `${JSON.stringify(
        {
          benchmark: 'api',
          at: new Date().toISOString(),
          rate: RATE,
          durationSeconds: DURATION,
          connections: CONNECTIONS,
          anchor: ANCHOR,
          targets: TARGET,
          phases: rows,
          writePhasesMs: phases,
          ...(closedLoop ? { writeCapacity: { connections: CAPACITY_CONNECTIONS, ...closedLoop } } : {}),
          ...summary,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`targets: reads p99 < ${TARGET.readP99Ms} ms, writes p99 < ${TARGET.writeP99Ms} ms at ${RATE}/s (anchor: ${ANCHOR})`);
    console.log(JSON.stringify(summary));
  } finally {
    agent.destroy();
    await db.end();
    await gateway.stop();
    await dropSchema(schema);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
