// npm run bench:proxy — throughput through the service proxy vs straight to the container.
// autocannon (a child process, so it never shares the proxy's event loop) runs against the
// container's published port, then through the proxy in L4 and in HTTP mode: same duration and
// connections, several rounds in alternating order, medians reported.
// Target (docs: DESIGN.md section 7): proxy >= 70% of direct (L4 mode).
// The machine is shared: each round's ratio (adjacent runs) is reported too, as it cancels slow drifts in background load.
// Env: BENCH_DURATION (s, 3), BENCH_CONNECTIONS (10), BENCH_ROUNDS (7), BENCH_CONTAINERS (1), BENCH_BACKEND (docker|node).
import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ProxiedEndpoint, ServiceProxy } from '@berth/service-proxy';

const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CONTAINERS = Number(process.env.BENCH_CONTAINERS ?? 1);
const TARGET = 0.7;
const ROOT = join(__dirname, '..', '..');
const AUTOCANNON = join(dirname(require.resolve('autocannon/package.json')), 'autocannon.js');
const run = promisify(execFile);

type Mode = 'direct' | 'l4' | 'http';

interface Measurement {
  round: number;
  mode: Mode;
  rps: number;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** The bench process' CPU (which hosts the proxy) during the run, in % of one core. */
  proxyCpuPct: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

interface Backend {
  kind: string;
  endpoints: ProxiedEndpoint[];
  stop(): Promise<void>;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function get(host: string, port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function waitAnswering(host: string, port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await get(host, port)) !== 200) {
    if (Date.now() > deadline) throw new Error(`${host}:${port} does not answer`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function dockerAvailable(): Promise<boolean> {
  if (process.env.BENCH_BACKEND === 'node') return false;
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

async function startContainers(): Promise<Backend> {
  execFileSync('bash', [join(ROOT, 'tools/images/build-images.sh'), '--quiet'], { stdio: 'inherit', timeout: 120_000 });
  const label = `berth.bench-run=proxy-${randomUUID().slice(0, 8)}`;
  const ids: string[] = [];
  const endpoints: ProxiedEndpoint[] = [];
  const stop = async (): Promise<void> => {
    if (ids.length > 0) await run('docker', ['rm', '-f', ...ids]).catch(() => undefined);
  };
  try {
    for (let i = 1; i <= CONTAINERS; i++) {
      const { stdout } = await run('docker', ['run', '-d', '--rm', '-p', '127.0.0.1::80', '--hostname', `bench-r${i}`, '--label', label, 'berth/http:test']);
      const id = stdout.trim();
      ids.push(id);
      const { stdout: mapping } = await run('docker', ['port', id, '80/tcp']);
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(mapping)?.[1]);
      await waitAnswering('127.0.0.1', port);
      endpoints.push({ id: `bench-r${i}`, address: '127.0.0.1', port, ready: true });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { kind: `docker: ${CONTAINERS} x berth/http:test (busybox httpd, one connection per request), published on 127.0.0.1`, endpoints, stop };
}

async function startNodeServers(): Promise<Backend> {
  const children: ChildProcess[] = [];
  const endpoints: ProxiedEndpoint[] = [];
  const script = "const s=require('http').createServer((q,r)=>r.end(require('os').hostname()+'\\n'));s.keepAliveTimeout=30000;s.listen(0,'127.0.0.2',()=>console.log(s.address().port))";
  for (let i = 1; i <= CONTAINERS; i++) {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const port = await new Promise<number>((resolve) => child.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    endpoints.push({ id: `node-${i}`, address: '127.0.0.2', port, ready: true });
  }
  return {
    kind: `node: ${CONTAINERS} x local node:http server in a child process (Docker unavailable), keep-alive`,
    endpoints,
    stop: async () => {
      for (const c of children) c.kill();
    },
  };
}

function autocannon(url: string, connections: number, seconds: number): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AUTOCANNON, '-j', '-c', String(connections), '-d', String(seconds), url], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out) as AutocannonResult);
      } catch {
        reject(new Error(`autocannon exited ${code} without JSON: ${out.slice(0, 200)}`));
      }
    });
  });
}

/** Direct runs hit every container at once, the connections split evenly, and sum up. */
async function measure(round: number, mode: Mode, targets: string[], seconds: number): Promise<Measurement> {
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const per = targets.map((_, i) => Math.floor(CONNECTIONS / targets.length) + (i < CONNECTIONS % targets.length ? 1 : 0));
  const results = await Promise.all(targets.map((url, i) => autocannon(url, Math.max(1, per[i]), seconds)));
  const wallUs = Number(process.hrtime.bigint() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const sum = (f: (r: AutocannonResult) => number): number => results.reduce((acc, r) => acc + f(r), 0);
  return {
    round,
    mode,
    rps: sum((r) => r.requests.average),
    requests: sum((r) => r.requests.total),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    non2xx: sum((r) => r.non2xx),
    latencyP50Ms: Math.max(...results.map((r) => r.latency.p50)),
    latencyP99Ms: Math.max(...results.map((r) => r.latency.p99)),
    proxyCpuPct: ((cpu.user + cpu.system) / wallUs) * 100,
  };
}

const pad = (s: string, w: number): string => (s.length >= w ? s : ' '.repeat(w - s.length) + s);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const useDocker = await dockerAvailable();
  const backend = useDocker ? await startContainers() : await startNodeServers();
  const proxy = new ServiceProxy();
  try {
    const [l4Port, httpPort] = await Promise.all([freePort('127.0.0.1'), freePort('127.0.0.1')]);
    const applied = await proxy.applyServices([
      { key: 'bench/l4', listeners: [{ address: '127.0.0.1', port: l4Port, protocol: 'TCP' }], targetPort: 80, endpoints: backend.endpoints },
      { key: 'bench/http', listeners: [{ address: '127.0.0.1', port: httpPort, protocol: 'TCP' }], targetPort: 80, appProtocol: 'http', endpoints: backend.endpoints },
    ]);
    if (applied.errors.length > 0) throw applied.errors[0];
    const targets: Record<Mode, string[]> = {
      direct: backend.endpoints.map((e) => `http://${e.address}:${e.port}/`),
      l4: [`http://127.0.0.1:${l4Port}/`],
      http: [`http://127.0.0.1:${httpPort}/`],
    };
    console.log(`proxy bench: backend = ${backend.kind}`);
    const loadBefore = loadavg()[0];
    console.log(
      `  autocannon ${CONNECTIONS} connections x ${DURATION} s, ${ROUNDS} rounds (order alternates), node ${process.version}, ${cpus().length} CPUs, load average ${loadBefore.toFixed(1)}`,
    );
    console.log(`  direct -> ${targets.direct.join(' ')} | L4 proxy -> ${targets.l4[0]} | HTTP proxy -> ${targets.http[0]}`);

    process.stdout.write('  warm-up ...');
    for (const mode of ['direct', 'l4', 'http'] as Mode[]) await measure(0, mode, targets[mode], 1);
    console.log(' done');

    const runs: Measurement[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const order: Mode[] = round % 2 === 1 ? ['direct', 'l4', 'http'] : ['http', 'l4', 'direct'];
      for (const mode of order) {
        const m = await measure(round, mode, targets[mode], DURATION);
        runs.push(m);
        console.log(
          `  round ${round}/${ROUNDS}  ${mode.padEnd(6)} ${pad(fmt(m.rps), 8)} req/s  p50 ${pad(m.latencyP50Ms.toFixed(1), 7)} ms  p99 ${pad(m.latencyP99Ms.toFixed(1), 7)} ms  errors ${m.errors + m.timeouts}  non-2xx ${m.non2xx}  proxy cpu ${m.proxyCpuPct.toFixed(0)}%`,
        );
      }
    }

    const med = (mode: Mode, f: (m: Measurement) => number): number => median(runs.filter((r) => r.mode === mode).map(f));
    const directRps = med('direct', (m) => m.rps);
    const proxyRps = med('l4', (m) => m.rps);
    const httpRps = med('http', (m) => m.rps);
    const ratio = proxyRps / directRps;
    const httpRatio = httpRps / directRps;
    const perRound = (mode: Mode): number[] =>
      Array.from({ length: ROUNDS }, (_, i) => {
        const rps = (m: Mode): number => runs.find((r) => r.round === i + 1 && r.mode === m)?.rps ?? 0;
        return rps(mode) / rps('direct');
      });
    const pairedRatio = median(perRound('l4'));
    const pairedHttpRatio = median(perRound('http'));
    const loadAfter = loadavg()[0];
    const snapshots = proxy.metricsSnapshot();
    const httpSnap = snapshots.find((s) => s.service === 'bench/http');
    const l4Snap = snapshots.find((s) => s.service === 'bench/l4');

    console.log('');
    console.log('| path | median req/s | vs direct | median p50 ms | median p99 ms | errors | proxy cpu |');
    console.log('|---|---|---|---|---|---|---|');
    for (const [mode, label] of [
      ['direct', 'direct (published port)'],
      ['l4', 'proxy, L4 TCP'],
      ['http', 'proxy, HTTP mode'],
    ] as [Mode, string][]) {
      const rps = med(mode, (m) => m.rps);
      const errors = runs.filter((r) => r.mode === mode).reduce((a, r) => a + r.errors + r.timeouts, 0);
      console.log(
        `| ${label} | ${fmt(rps)} | ${((rps / directRps) * 100).toFixed(1)}% | ${med(mode, (m) => m.latencyP50Ms).toFixed(1)} | ${med(mode, (m) => m.latencyP99Ms).toFixed(1)} | ${errors} | ${mode === 'direct' ? '-' : `${med(mode, (m) => m.proxyCpuPct).toFixed(0)}%`} |`,
      );
    }
    console.log('');
    console.log(`| metric | value |`);
    console.log('|---|---|');
    console.log(`| L4 ratio (proxy / direct) | ${ratio.toFixed(3)} (target >= ${TARGET}: ${ratio >= TARGET ? 'pass' : 'FAIL'}) |`);
    console.log(`| HTTP-mode ratio | ${httpRatio.toFixed(3)} |`);
    console.log(`| median of per-round ratios, L4 / HTTP | ${pairedRatio.toFixed(3)} / ${pairedHttpRatio.toFixed(3)} |`);
    console.log(`| load average before / after (other work on this machine) | ${loadBefore.toFixed(1)} / ${loadAfter.toFixed(1)} |`);
    console.log(`| proxy L4 connections / failed connects | ${fmt(l4Snap?.connections.total ?? 0)} / ${l4Snap?.connections.failedConnects ?? 0} |`);
    console.log(
      `| proxy HTTP requests / 5xx / p50 / p99 (proxy-measured) | ${fmt(httpSnap?.http.requests ?? 0)} / ${httpSnap?.http.errors5xx ?? 0} / ${(httpSnap?.http.p50Ms ?? 0).toFixed(2)} ms / ${(httpSnap?.http.p99Ms ?? 0).toFixed(2)} ms |`,
    );
    console.log(`| backend | ${backend.kind} |`);
    if (useDocker) {
      console.log('');
      console.log('  note: autocannon latencies against busybox httpd (Connection: close) include its reconnect waits; compare req/s.');
      console.log('  HTTP mode keeps client connections alive (only the upstream side reconnects), which is why it can beat direct.');
    }

    const outDir = join(ROOT, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(
      join(outDir, 'proxy.json'),
      JSON.stringify(
        {
          benchmark: 'proxy',
          backend: backend.kind,
          docker: useDocker,
          containers: CONTAINERS,
          connections: CONNECTIONS,
          durationSec: DURATION,
          rounds: ROUNDS,
          median: { directRps, l4Rps: proxyRps, httpRps },
          ratio,
          httpRatio,
          pairedRatio,
          pairedHttpRatio,
          loadAverage: { before: loadBefore, after: loadAfter },
          target: TARGET,
          pass: ratio >= TARGET,
          runs,
          proxyMetrics: { l4: l4Snap?.connections, http: httpSnap?.http },
          node: process.version,
          cpus: cpus().length,
          recordedAt: new Date().toISOString(),
        },
        null,
        2,
      ) + '\n',
    );
    console.log(JSON.stringify({ ratio: Number(ratio.toFixed(4)), proxyRps: Math.round(proxyRps), directRps: Math.round(directRps) }));
  } finally {
    await proxy.close(2000);
    await backend.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
