// npm run bench:docker — Berth against Docker Swarm and the raw engine, on this machine's one
// Docker engine, same image, same network mode (a bridge network with the container port published
// on the host), scenarios run for each system in turn, BENCH_ROUNDS rounds in alternating order,
// medians reported.
//
// Scenarios (the clock runs from the request to the state, seen on the engine itself: containers of
// the system in state "running"; for Berth also its own status, so Berth is timed until it knows):
//   create     0 -> 60 replicas running
//   scaleUp    60 -> 120
//   scaleDown  120 -> 60 (the extra containers stopped)
//   kill       one container killed (docker kill) -> a replacement running (the 60 again)
//   rolling    rolling update of 60 (a new env value): 15 at a time, start-first (Berth: maxSurge 15,
//              maxUnavailable 0; Swarm: --update-parallelism 15 --update-order start-first
//              --update-delay 0s), stop grace period 2 s for both; done when 60 new are running and
//              no old one is
//   nodeLoss   Berth only (Swarm has one node here): a node-agent and its containers killed -> its
//              replicas running on the other nodes
// The raw engine (containers created and started directly through the API, BENCH_RAW_PARALLEL at
// once) runs create, scaleUp, scaleDown and rolling (batches of 15, start-first).
//
// createPooled (raw engine only, BENCH_POOL_PROBE=0 skips it): would a pool of network sandboxes made
// ahead of demand pay? N sandbox containers with the port published are made first, untimed; then N
// application containers joining their network namespaces are timed.
//
// berth-pool (BENCH_SYSTEMS=berth-pool): Berth with node-agents keeping SANDBOX_POOL_SIZE network
// sandboxes per port signature (BENCH_POOL_SIZE, default 25 per node). Before each round, untimed: a
// warm-up deployment with the same port teaches every node the signature, is deleted, and the pools
// are left to fill; then the same scenarios as berth run.
//
// Prints a table and, as the last line, JSON {"scenarios":{...},"network":"..."}.
// Env: BENCH_ROUNDS (3), BENCH_REPLICAS (60), BENCH_NODES (3 Berth node-agents), BENCH_RAW_PARALLEL
// (8), BENCH_SYSTEMS (berth,swarm,raw; also berth-pool), BENCH_POOL_SIZE (25), BENCH_SCENARIO_TIMEOUT_S (180).
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { startCluster, TestCluster } from '@berth/testing';

const run = promisify(execFile);
const docker = new Docker({ socketPath: process.env['DOCKER_SOCKET'] ?? '/var/run/docker.sock' });

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const N = Number(process.env['BENCH_REPLICAS'] ?? 60);
const NODES = Number(process.env['BENCH_NODES'] ?? 3);
const RAW_PARALLEL = Number(process.env['BENCH_RAW_PARALLEL'] ?? 8);
const SYSTEMS = (process.env['BENCH_SYSTEMS'] ?? 'berth,swarm,raw').split(',') as SystemName[];
const TIMEOUT_MS = Number(process.env['BENCH_SCENARIO_TIMEOUT_S'] ?? 180) * 1000;
const IMAGE = 'berth/http:test';
const SURGE = 15;
const GRACE_S = 2;
const NETWORK = 'bridge, container port 80 published on a host port';
const ROOT = join(__dirname, '..', '..');
const SCENARIOS = ['create', 'scaleUp', 'scaleDown', 'kill', 'rolling', 'nodeLoss', 'createPooled'] as const;
/** Also time the raw engine starting N containers into network sandboxes made ahead (scenario createPooled). */
const POOL_PROBE = process.env['BENCH_POOL_PROBE'] !== '0';
type Scenario = (typeof SCENARIOS)[number];
type SystemName = 'berth' | 'swarm' | 'raw' | 'berth-pool';
/** Spare network sandboxes per node and port signature for berth-pool. */
const POOL_SIZE = Number(process.env['BENCH_POOL_SIZE'] ?? 25);
type Timings = Partial<Record<Scenario, number>>;

const log = (message: string) => process.stderr.write(`[bench:docker] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RunningContainer {
  id: string;
  labels: Record<string, string>;
  env?: string;
}

async function running(label: string): Promise<RunningContainer[]> {
  const list = await docker.listContainers({ filters: { label: [label], status: ['running'] } });
  return list.map((c) => ({ id: c.Id, labels: c.Labels }));
}

/** Polls until `done()` holds; returns the seconds since `since`. */
async function until(what: string, since: number, done: () => Promise<boolean>): Promise<number> {
  let lastLog = Date.now();
  for (;;) {
    if (await done()) return (Date.now() - since) / 1000;
    if (Date.now() - since > TIMEOUT_MS) throw new Error(`timed out waiting for ${what}`);
    if (Date.now() - lastLog > 5000) {
      log(`  ... still waiting for ${what} (${((Date.now() - since) / 1000).toFixed(0)} s)`);
      lastLog = Date.now();
    }
    await sleep(50);
  }
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

async function killOne(label: string): Promise<{ id: string; at: number }> {
  const [victim] = await running(label);
  const at = Date.now();
  await docker.getContainer(victim.id).kill();
  return { id: victim.id, at };
}

/** N running with `label`, the killed one not among them (or restarted after the kill). */
async function replaced(label: string, killed: { id: string; at: number }): Promise<boolean> {
  const list = await running(label);
  if (list.length < N) return false;
  if (!list.some((c) => c.id === killed.id)) return true;
  const inspect = await docker.getContainer(killed.id).inspect();
  return new Date(inspect.State.StartedAt).getTime() > killed.at;
}

/** Running containers with `label`, and how many of them have VERSION=`version` in their env. */
async function runningVersion(label: string, version: string): Promise<{ matching: number; total: number }> {
  const list = await running(label);
  let matching = 0;
  await Promise.all(
    list.map(async (c) => {
      const inspect = await docker.getContainer(c.id).inspect().catch(() => undefined);
      if (inspect?.Config.Env.includes(`VERSION=${version}`)) matching++;
    }),
  );
  return { matching, total: list.length };
}

// ---------------------------------------------------------------- Berth
class BerthSystem {
  protected cluster!: TestCluster;

  constructor(
    private readonly prefix = 'bench-berth',
    private readonly nodeEnv?: Record<string, string>,
  ) {}

  async setUp(): Promise<void> {
    this.cluster = await startCluster({ nodes: NODES, env: { LOG_LEVEL: 'warn' }, ...(this.nodeEnv ? { nodeEnv: () => this.nodeEnv ?? {} } : {}) });
  }

  async tearDown(): Promise<void> {
    await this.cluster?.stop();
  }

  protected label(name: string): string {
    return `berth.deployment=${name}`;
  }

  protected async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<unknown> {
    const response = await fetch(`${this.cluster.gatewayUrl}${path}`, { method, headers: body ? { 'content-type': contentType } : {}, body: body ? JSON.stringify(body) : undefined });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  }

  private async status(name: string): Promise<{ replicas: number; ready: number; updated: number }> {
    const d = (await this.request('GET', `/apis/apps/v1/namespaces/default/deployments/${name}`)) as { status?: { replicas?: number; readyReplicas?: number; updatedReplicas?: number } };
    return { replicas: d.status?.replicas ?? 0, ready: d.status?.readyReplicas ?? 0, updated: d.status?.updatedReplicas ?? 0 };
  }

  /** `n` running on the engine, and Berth's own status agrees (n ready, nothing extra). */
  private async settled(name: string, n: number, nodes?: string[]): Promise<boolean> {
    const list = await running(this.label(name));
    const counted = nodes ? list.filter((c) => nodes.includes(c.labels['berth.node'])) : list;
    if (counted.length !== n || list.length !== n) return false;
    const s = await this.status(name);
    return s.ready === n && s.replicas === n && s.updated === n;
  }

  async round(round: number): Promise<Timings> {
    const name = `${this.prefix}-${round}`;
    const path = '/apis/apps/v1/namespaces/default/deployments';
    const t: Timings = {};
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas: N,
        selector: { matchLabels: { app: name } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: SURGE, maxUnavailable: 0 } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            terminationGracePeriodSeconds: GRACE_S,
            containers: [{ name: 'web', image: IMAGE, imagePullPolicy: 'Never', ports: [{ containerPort: 80 }], env: [{ name: 'VERSION', value: '1' }] }],
          },
        },
      },
    };
    let start = Date.now();
    await this.request('POST', path, manifest);
    t.create = await until(`berth create ${N}`, start, () => this.settled(name, N));

    start = Date.now();
    await this.request('PATCH', `${path}/${name}/scale`, { spec: { replicas: 2 * N } }, 'application/merge-patch+json');
    t.scaleUp = await until(`berth scale to ${2 * N}`, start, () => this.settled(name, 2 * N));
    start = Date.now();
    await this.request('PATCH', `${path}/${name}/scale`, { spec: { replicas: N } }, 'application/merge-patch+json');
    t.scaleDown = await until(`berth scale to ${N}`, start, () => this.settled(name, N));

    const killed = await killOne(this.label(name));
    t.kill = await until('berth kill -> replaced', killed.at, async () => (await replaced(this.label(name), killed)) && (await this.settled(name, N)));

    start = Date.now();
    await this.request('PATCH', `${path}/${name}`, [{ op: 'replace', path: '/spec/template/spec/containers/0/env/0/value', value: '2' }], 'application/json-patch+json');
    t.rolling = await until('berth rolling update', start, async () => {
      const { matching, total } = await runningVersion(this.label(name), '2');
      return matching === N && total === N && (await this.settled(name, N));
    });

    if (NODES > 1) {
      // Node loss: node-agent 0 and its containers killed at once.
      const lost = this.cluster.nodeNames[0];
      const others = this.cluster.nodeNames.slice(1);
      const agent = this.cluster.services.get('node-agent:0');
      start = Date.now();
      await agent?.kill();
      const onLost = (await running(this.label(name))).filter((c) => c.labels['berth.node'] === lost).map((c) => c.id);
      await Promise.all(onLost.map((id) => docker.getContainer(id).remove({ force: true }).catch(() => undefined)));
      t.nodeLoss = await until('berth node loss -> replicas elsewhere', start, async () => (await running(this.label(name))).filter((c) => others.includes(c.labels['berth.node'])).length === N);
      await this.cluster.startNode(0);
    }

    await this.request('DELETE', `${path}/${name}`);
    await until('berth delete', Date.now(), async () => (await running(this.label(name))).length === 0);
    return t;
  }
}

// ---------------------------------------------------------------- Berth with a sandbox pool
class BerthPoolSystem extends BerthSystem {
  constructor() {
    super('bench-berthpool', { SANDBOX_POOL_SIZE: String(POOL_SIZE), SANDBOX_POOL_CONCURRENCY: '2' });
  }

  override async round(round: number): Promise<Timings> {
    await this.fillPools(round);
    return super.round(round);
  }

  /** Untimed: one replica per node teaches each node the signature (port 80); then the pools fill. */
  private async fillPools(round: number): Promise<void> {
    const name = `bench-warm-${round}`;
    const path = '/apis/apps/v1/namespaces/default/deployments';
    const nodes = this.cluster.nodeNames;
    await this.request('POST', path, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas: 2 * nodes.length,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'web', image: IMAGE, imagePullPolicy: 'Never', ports: [{ containerPort: 80 }] }] },
        },
      },
    });
    await until('warm-up replicas on every node', Date.now(), async () => {
      const list = await running(this.label(name));
      return nodes.every((node) => list.some((c) => c.labels['berth.node'] === node));
    });
    await this.request('DELETE', `${path}/${name}`);
    await until('warm-up deleted', Date.now(), async () => (await running(this.label(name))).length === 0);
    const started = Date.now();
    await until(`${POOL_SIZE} spare sandboxes on each node`, started, async () => {
      const spares = await docker.listContainers({ filters: { label: ['berth.sandbox=true'], status: ['running'] } });
      return nodes.every((node) => spares.filter((c) => c.Labels['berth.node'] === node).length >= POOL_SIZE);
    });
    log(`  pools filled (${POOL_SIZE} per node) in ${((Date.now() - started) / 1000).toFixed(1)} s; load ${(await run('uptime')).stdout.trim()}`);
  }
}

// ---------------------------------------------------------------- Swarm
class SwarmSystem {
  async setUp(): Promise<void> {
    const info = await docker.info();
    if (info.Swarm?.LocalNodeState !== 'active') await run('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1']);
  }

  async tearDown(): Promise<void> {
    await run('docker', ['swarm', 'leave', '--force']).catch(() => undefined);
  }

  private label(name: string): string {
    return `com.docker.swarm.service.name=${name}`;
  }

  private async updateState(name: string): Promise<string | undefined> {
    const service = (await docker.getService(name).inspect()) as { UpdateStatus?: { State?: string } };
    return service.UpdateStatus?.State;
  }


  async round(round: number): Promise<Timings> {
    const name = `bench-swarm-${round}`;
    const t: Timings = {};
    let start = Date.now();
    await run('docker', [
      'service', 'create', '--detach', '--name', name, '--replicas', String(N),
      '--publish', 'mode=host,target=80',
      '--stop-grace-period', `${GRACE_S}s`,
      '--update-parallelism', String(SURGE), '--update-order', 'start-first', '--update-delay', '0s',
      '--env', 'VERSION=1',
      IMAGE,
    ]);
    t.create = await until(`swarm create ${N}`, start, async () => (await running(this.label(name))).length === N);

    start = Date.now();
    await run('docker', ['service', 'scale', '--detach', `${name}=${2 * N}`]);
    t.scaleUp = await until(`swarm scale to ${2 * N}`, start, async () => (await running(this.label(name))).length === 2 * N);
    start = Date.now();
    await run('docker', ['service', 'scale', '--detach', `${name}=${N}`]);
    t.scaleDown = await until(`swarm scale to ${N}`, start, async () => (await running(this.label(name))).length === N);

    const killed = await killOne(this.label(name));
    t.kill = await until('swarm kill -> replaced', killed.at, () => replaced(this.label(name), killed));

    start = Date.now();
    await run('docker', ['service', 'update', '--detach', '--env-add', 'VERSION=2', name]);
    t.rolling = await until('swarm rolling update', start, async () => {
      if ((await this.updateState(name)) !== 'completed') return false;
      const { matching, total } = await runningVersion(this.label(name), '2');
      return matching === N && total === N;
    });

    await run('docker', ['service', 'rm', name]);
    await until('swarm service removed', Date.now(), async () => (await running(this.label(name))).length === 0);
    return t;
  }
}

// ---------------------------------------------------------------- raw engine
class RawSystem {
  private label(name: string): string {
    return `bench.raw=${name}`;
  }

  private async startOne(name: string, version: string): Promise<string> {
    const container = await docker.createContainer({
      Image: IMAGE,
      Env: [`VERSION=${version}`],
      Labels: { 'bench.raw': name },
      ExposedPorts: { '80/tcp': {} },
      HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    });
    await container.start();
    return container.id;
  }

  private async removeAll(ids: string[]): Promise<void> {
    await mapLimit(ids, RAW_PARALLEL, async (id) => {
      await docker.getContainer(id).stop({ t: GRACE_S }).catch(() => undefined);
      await docker.getContainer(id).remove({ force: true });
    });
  }

  async round(round: number): Promise<Timings> {
    const name = `bench-raw-${round}`;
    const t: Timings = {};
    const ids: string[] = [];
    const startMany = async (count: number, version: string) => {
      const started: string[] = [];
      await mapLimit(Array.from({ length: count }, (_, i) => i), RAW_PARALLEL, async () => {
        started.push(await this.startOne(name, version));
      });
      return started;
    };
    let start = Date.now();
    ids.push(...(await startMany(N, '1')));
    t.create = (Date.now() - start) / 1000;
    if (POOL_PROBE) t.createPooled = await this.createPooled(name);

    start = Date.now();
    const extra = await startMany(N, '1');
    t.scaleUp = (Date.now() - start) / 1000;
    start = Date.now();
    await this.removeAll(extra);
    t.scaleDown = (Date.now() - start) / 1000;

    // Rolling: batches of SURGE, start-first (start the new ones, then stop the old ones).
    start = Date.now();
    const fresh: string[] = [];
    for (let i = 0; i < ids.length; i += SURGE) {
      fresh.push(...(await startMany(Math.min(SURGE, ids.length - i), '2')));
      await this.removeAll(ids.slice(i, i + SURGE));
    }
    t.rolling = (Date.now() - start) / 1000;
    await this.removeAll(fresh);
    await until('raw containers removed', Date.now(), async () => (await running(this.label(name))).length === 0);
    return t;
  }

  /**
   * Would a pool of network sandboxes made ahead of demand pay? Made first (not timed): N sandbox
   * containers holding a network namespace with port 80 published, as a pool would keep ready.
   * Timed: N application containers joining them (NetworkMode container:<sandbox>), so no veth,
   * no iptables rule and no docker-proxy is set up on the critical path.
   */
  private async createPooled(name: string): Promise<number> {
    const sandboxes: string[] = [];
    await mapLimit(Array.from({ length: N }, (_, i) => i), RAW_PARALLEL, async () => {
      const sandbox = await docker.createContainer({
        Image: 'berth/busybox:test',
        Cmd: ['sleep', '2147483647'],
        Labels: { 'bench.raw': `${name}-sandbox` },
        ExposedPorts: { '80/tcp': {} },
        HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
      });
      await sandbox.start();
      sandboxes.push(sandbox.id);
    });
    const apps: string[] = [];
    const start = Date.now();
    await mapLimit(sandboxes, RAW_PARALLEL, async (sandbox) => {
      const container = await docker.createContainer({ Image: IMAGE, Env: ['VERSION=1'], Labels: { 'bench.raw': `${name}-pooled` }, HostConfig: { NetworkMode: `container:${sandbox}` } });
      await container.start();
      apps.push(container.id);
    });
    const seconds = (Date.now() - start) / 1000;
    await Promise.all([...apps, ...sandboxes].map((id) => docker.getContainer(id).remove({ force: true })));
    return seconds;
  }

  async setUp(): Promise<void> {
    // Nothing to start: the raw engine is the engine.
  }
  async tearDown(): Promise<void> {
    const left = await docker.listContainers({ all: true, filters: { label: ['bench.raw'] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  }
}

const median = (xs: number[]): number | undefined => {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main(): Promise<void> {
  await run('bash', [join(ROOT, 'tools/images/build-images.sh'), '--quiet']);
  const systems: Record<SystemName, BerthSystem | SwarmSystem | RawSystem> = { berth: new BerthSystem(), swarm: new SwarmSystem(), raw: new RawSystem(), 'berth-pool': new BerthPoolSystem() };
  const results: Record<SystemName, Timings[]> = { berth: [], swarm: [], raw: [], 'berth-pool': [] };
  log(`${ROUNDS} rounds, ${N} replicas, systems ${SYSTEMS.join(', ')}; network: ${NETWORK}; ${cpus().length} cores`);
  try {
    for (const name of SYSTEMS) await systems[name].setUp();
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order so no system always runs on a warmer (or more tired) engine.
      const order = round % 2 === 0 ? SYSTEMS : [...SYSTEMS].reverse();
      for (const name of order) {
        log(`round ${round + 1}/${ROUNDS}: ${name}`);
        const timings = await systems[name].round(round);
        results[name].push(timings);
        log(`  ${Object.entries(timings).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(', ')}`);
      }
    }
  } finally {
    for (const name of SYSTEMS) await systems[name].tearDown().catch((error: unknown) => log(`tear-down of ${name}: ${String(error)}`));
  }

  const scenarios: Record<string, { berthSec?: number; swarmSec?: number; rawSec?: number; berthPoolSec?: number }> = {};
  for (const scenario of SCENARIOS) {
    const pick = (name: SystemName) => median(results[name].map((t) => t[scenario]).filter((v): v is number => v !== undefined));
    const row = { berthSec: pick('berth'), swarmSec: pick('swarm'), rawSec: pick('raw'), berthPoolSec: pick('berth-pool') };
    scenarios[scenario] = Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined));
  }
  const fmt = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(2));
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '-' : (a / b).toFixed(2));
  console.log(`machine: ${cpus().length} cores, ${Math.round(totalmem() / 1024 ** 3)} GiB; network: ${NETWORK}; ${ROUNDS} rounds, medians (s)`);
  console.log(`${'scenario'.padEnd(10)} ${'berth'.padStart(7)} ${'swarm'.padStart(7)} ${'raw'.padStart(7)} ${'swarm/berth'.padStart(12)} ${'berth/raw'.padStart(10)}`);
  for (const [scenario, row] of Object.entries(scenarios)) {
    console.log(`${scenario.padEnd(10)} ${fmt(row.berthSec).padStart(7)} ${fmt(row.swarmSec).padStart(7)} ${fmt(row.rawSec).padStart(7)} ${ratio(row.swarmSec, row.berthSec).padStart(12)} ${ratio(row.berthSec, row.rawSec).padStart(10)}`);
  }
  if (SYSTEMS.includes('berth-pool')) {
    console.log(`with a sandbox pool (${POOL_SIZE} per node):\n${'scenario'.padEnd(10)} ${'pool'.padStart(7)} ${'pool/berth'.padStart(11)} ${'pool/raw'.padStart(9)}`);
    for (const [scenario, row] of Object.entries(scenarios)) {
      if (row.berthPoolSec !== undefined) console.log(`${scenario.padEnd(10)} ${fmt(row.berthPoolSec).padStart(7)} ${ratio(row.berthPoolSec, row.berthSec).padStart(11)} ${ratio(row.berthPoolSec, row.rawSec).padStart(9)}`);
    }
  }
  console.log('targets: create <= 1.15x raw and swarm/berth >= 1.5; every other scenario swarm/berth >= 1.5; kill < 1 s; nodeLoss < 5 s (anchors: Kubernetes ~350 s, Nomad 20-30 s, Swarm ~15 s detection)');
  const result = { scenarios, network: NETWORK };
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench-results', 'docker.json'), JSON.stringify({ ...result, rounds: results }, null, 2));
  console.log(JSON.stringify(result));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
