// npm run bench:scale — the whole system at scale on hollow nodes: the gateway, the event log,
// the scheduler, the monitor, the autoscaler and node-agents hosting simulated nodes (RUNTIME=hollow,
// the node-agent's real code paths over a simulated container runtime, like Kubemark's hollow nodes).
// One `POST /apply` of BENCH_DEPLOYMENTS Deployments adding up to BENCH_REPLICAS replicas, timed until
// every Deployment reports all its replicas ready (the agents' reports folded back through the log).
// Also records each service's peak memory (VmHWM) and the Postgres size of the run's schema.
// Target (DESIGN.md section 7): >= 2,000 replicas/s; anchor: Nomad C1M ~3,750 containers/s on 5 servers.
// Env: BENCH_NODES (1000), BENCH_REPLICAS (20000), BENCH_DEPLOYMENTS (20), BENCH_AGENTS (1: agent
// processes sharing the nodes), BENCH_TIMEOUT_S (600), BENCH_CPU_PROF (a folder: each service writes a
// V8 CPU profile there when it stops).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startCluster, TEST_DATABASE_URL, TestCluster } from '@berth/testing';

const NODES = Number(process.env['BENCH_NODES'] ?? 1000);
const REPLICAS = Number(process.env['BENCH_REPLICAS'] ?? 20_000);
const DEPLOYMENTS = Number(process.env['BENCH_DEPLOYMENTS'] ?? 20);
const AGENTS = Number(process.env['BENCH_AGENTS'] ?? 1);
const TIMEOUT_MS = Number(process.env['BENCH_TIMEOUT_S'] ?? 600) * 1000;
const TARGET = 2000;
const ANCHOR = 'Nomad C1M: ~3,750 containers/s on 5 servers';
const ROOT = join(__dirname, '..', '..');

interface DeploymentItem {
  metadata: { name: string };
  spec: { replicas: number };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number };
}

const log = (message: string) => process.stderr.write(`[bench:scale] ${message}\n`);

function manifests(): string {
  const per = Math.floor(REPLICAS / DEPLOYMENTS);
  return Array.from({ length: DEPLOYMENTS }, (_, i) => {
    const replicas = i === DEPLOYMENTS - 1 ? REPLICAS - per * (DEPLOYMENTS - 1) : per;
    const name = `scale-${String(i).padStart(3, '0')}`;
    return [
      'apiVersion: apps/v1',
      'kind: Deployment',
      `metadata: {name: ${name}, labels: {bench: scale}}`,
      'spec:',
      `  replicas: ${replicas}`,
      `  selector: {matchLabels: {app: ${name}}}`,
      '  template:',
      `    metadata: {labels: {app: ${name}}}`,
      '    spec:',
      '      containers:',
      '        - name: web',
      '          image: nginx:latest',
      '          ports: [{containerPort: 80}]',
      '          resources: {requests: {cpu: 50m, memory: 32Mi}}',
    ].join('\n');
  }).join('\n---\n');
}

/** Peak resident memory of a process (Linux VmHWM), in MiB. */
function peakMemoryMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in seconds. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function databaseFigures(schema: string): Promise<{ sizeMiB: number; events: number }> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const size = await client.query<{ bytes: string }>(
      `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,
      [schema],
    );
    const events = await client.query<{ count: string }>(`SELECT count(*)::bigint AS count FROM "${schema}".events`);
    return { sizeMiB: Math.round(Number(size.rows[0].bytes) / 1024 / 1024), events: Number(events.rows[0].count) };
  } finally {
    await client.end();
  }
}

/** Per event type: how many, and when the first and last were recorded (s after `since`): where the time went. */
async function timeline(schema: string, since: number): Promise<{ type: string; count: number; firstS: number; lastS: number }[]> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ type: string; count: string; first: Date; last: Date }>(
      `SELECT type, count(*)::bigint AS count, min(recorded_at) AS first, max(recorded_at) AS last FROM "${schema}".events WHERE recorded_at >= to_timestamp($1 / 1000.0) GROUP BY type ORDER BY min(recorded_at)`,
      [since],
    );
    return rows.map((r) => ({ type: r.type, count: Number(r.count), firstS: (r.first.getTime() - since) / 1000, lastS: (r.last.getTime() - since) / 1000 }));
  } finally {
    await client.end();
  }
}

async function listDeployments(gateway: string): Promise<DeploymentItem[]> {
  const response = await fetch(`${gateway}/apis/apps/v1/namespaces/default/deployments?labelSelector=bench%3Dscale`);
  if (!response.ok) throw new Error(`list deployments: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { items: DeploymentItem[] }).items;
}

async function main(): Promise<void> {
  log(`starting the system: ${NODES} hollow nodes in ${AGENTS} agent process(es), ${REPLICAS} replicas in ${DEPLOYMENTS} deployments`);
  const perAgent = Math.ceil(NODES / AGENTS);
  const cluster: TestCluster = await startCluster({
    nodes: AGENTS,
    env: { LOG_LEVEL: 'warn', ...(process.env['BENCH_CPU_PROF'] ? { NODE_OPTIONS: `--require ${join(ROOT, 'tools/bench/cpu-profile.js')}`, BERTH_CPU_PROFILE_DIR: process.env['BENCH_CPU_PROF'] } : {}) },
    nodeEnv: (i) => ({
      RUNTIME: 'hollow',
      HOLLOW_NODES: String(Math.min(perAgent, NODES - i * perAgent)),
      HOLLOW_CPU_MILLI: '8000',
      HOLLOW_MEMORY_BYTES: '16Gi',
    }),
  });
  try {
    // Every hollow node registered (Ready) before the clock starts.
    const registerStart = Date.now();
    for (;;) {
      const response = await fetch(`${cluster.gatewayUrl}/api/v1/nodes`);
      const nodes = ((await response.json()) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] }).items;
      const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
      if (ready >= NODES) break;
      if (Date.now() - registerStart > 120_000) throw new Error(`only ${ready}/${NODES} nodes ready after 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    log(`${NODES} nodes ready in ${((Date.now() - registerStart) / 1000).toFixed(1)} s`);

    const body = manifests();
    const cpuBefore = new Map([...cluster.services].map(([name, service]) => [name, cpuSeconds(service.process.pid)]));
    const start = Date.now();
    const applied = await fetch(`${cluster.gatewayUrl}/apply`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body });
    if (!applied.ok) throw new Error(`apply: ${applied.status} ${await applied.text()}`);
    const applyMs = Date.now() - start;
    log(`apply answered in ${applyMs} ms`);
    const phases = (await (await fetch(`${cluster.gatewayUrl}/metrics`)).text()).split('\n').filter((line) => /^berth_api_write_phase_seconds_(sum|count)/.test(line));
    log(`gateway write phases: ${phases.join('; ')}`);

    let ready = 0;
    let lastLog = 0;
    const progress: { t: number; ready: number }[] = [];
    for (;;) {
      const items = await listDeployments(cluster.gatewayUrl);
      ready = items.reduce((sum, d) => sum + Math.min(d.status?.readyReplicas ?? 0, d.spec.replicas), 0);
      const t = Date.now() - start;
      progress.push({ t, ready });
      if (t - lastLog >= 2000) {
        log(`${(t / 1000).toFixed(1)} s: ${ready}/${REPLICAS} ready`);
        lastLog = t;
      }
      if (items.length === DEPLOYMENTS && ready >= REPLICAS) break;
      if (t > TIMEOUT_MS) {
        for (const e of await timeline(cluster.db.options.schema, start)) log(`${e.type} ${e.count} ${e.firstS.toFixed(2)}..${e.lastS.toFixed(2)} s`);
        for (const [name, service] of cluster.services) log(`${name} output (tail):\n${service.output().slice(-3000)}`);
        throw new Error(`timed out: ${ready}/${REPLICAS} ready after ${t} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const totalMs = Date.now() - start;
    const replicasPerSec = Math.round((REPLICAS / totalMs) * 1000);
    const half = progress.find((p) => p.ready >= REPLICAS / 2);

    const memory: Record<string, number | undefined> = {};
    const cpu: Record<string, number> = {};
    for (const [name, service] of cluster.services) {
      memory[name] = peakMemoryMiB(service.process.pid);
      cpu[name] = Math.round((cpuSeconds(service.process.pid) - (cpuBefore.get(name) ?? 0)) * 10) / 10;
    }
    const db = await databaseFigures(cluster.db.options.schema);
    const events = await timeline(cluster.db.options.schema, start);

    const rows: [string, string][] = [
      ['machine', `${cpus().length} cores, ${Math.round(totalmem() / 1024 ** 3)} GiB`],
      ['nodes (hollow)', `${NODES} in ${AGENTS} agent process(es)`],
      ['replicas', `${REPLICAS} in ${DEPLOYMENTS} deployments`],
      ['apply answered', `${applyMs} ms`],
      ['half ready', half ? `${(half.t / 1000).toFixed(2)} s` : '-'],
      ['all ready', `${(totalMs / 1000).toFixed(2)} s`],
      ['replicas/s', `${replicasPerSec} (target >= ${TARGET}; ${replicasPerSec >= TARGET ? 'met' : 'NOT met'})`],
      ['anchor', ANCHOR],
      ...Object.entries(memory).map(([name, mib]): [string, string] => [`${name}`, `peak RSS ${mib === undefined ? '-' : `${mib} MiB`}, CPU ${cpu[name]} s`]),
      ['postgres schema size', `${db.sizeMiB} MiB (${db.events} events)`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n'));
    console.log('\nevents appended after the apply (where the time went):');
    console.log(`${'type'.padEnd(32)} ${'count'.padStart(7)} ${'first s'.padStart(8)} ${'last s'.padStart(8)}`);
    for (const e of events) console.log(`${e.type.padEnd(32)} ${String(e.count).padStart(7)} ${e.firstS.toFixed(2).padStart(8)} ${e.lastS.toFixed(2).padStart(8)}`);
    const result = { replicasPerSec, nodes: NODES, replicas: REPLICAS, seconds: totalMs / 1000, applyMs, peakRssMiB: memory, cpuSeconds: cpu, postgresMiB: db.sizeMiB, events: db.events };
    mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench-results', 'scale.json'), JSON.stringify({ ...result, events, progress }, null, 2));
    console.log(JSON.stringify(result));
  } finally {
    await cluster.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
