// Pure placement throughput: 5,000 nodes, 50,000 replicas from a few hundred deployments, one scheduleBatch call.
// Target (docs: DESIGN.md section 7): >= 20,000 placements/s on the project's 2-core machine.
// Relative import: @swc-node/register reads ./tsconfig.json for path aliases and the repo only has tsconfig.base.json.
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import {
  ClusterNode,
  ClusterSnapshot,
  HOSTNAME_KEY,
  PendingReplica,
  ReplicaSpec,
  Taint,
  ZONE_KEY,
  scheduleBatch,
} from '../../libs/scheduling/src';

const NODES = Number(process.env.BENCH_NODES ?? 5000);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 50000);
const DEPLOYMENTS = Number(process.env.BENCH_DEPLOYMENTS ?? 300);
const SEED = Number(process.env.BENCH_SEED ?? 42);

const GI = 1024 ** 3;
const MI = 1024 ** 2;

/** mulberry32: small, fast, seedable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = rng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const chance = (p: number): boolean => random() < p;

const ZONES = ['zone-a', 'zone-b', 'zone-c', 'zone-d', 'zone-e'];
const SIZES = [
  { type: 'small', cpu: 4000, mem: 16 * GI },
  { type: 'medium', cpu: 8000, mem: 32 * GI },
  { type: 'large', cpu: 16000, mem: 64 * GI },
  { type: 'xlarge', cpu: 32000, mem: 128 * GI },
];

function makeNodes(): ClusterNode[] {
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < NODES; i++) {
    const size = pick(SIZES);
    const name = `node-${String(i).padStart(5, '0')}`;
    const gpu = chance(0.05);
    const labels: Record<string, string> = {
      [HOSTNAME_KEY]: name,
      [ZONE_KEY]: ZONES[i % ZONES.length],
      'node.kubernetes.io/instance-type': size.type,
      disktype: chance(0.4) ? 'ssd' : 'hdd',
      'berth.io/generation': String(1 + Math.floor(random() * 5)),
    };
    const taints: Taint[] = [];
    if (gpu) {
      labels['accelerator'] = 'gpu';
      taints.push({ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' });
    }
    if (chance(0.1)) {
      labels['pool'] = 'batch';
      taints.push({ key: 'dedicated', value: 'batch', effect: 'NoSchedule' });
    }
    if (chance(0.05)) taints.push({ key: 'spot', value: 'true', effect: 'PreferNoSchedule' });
    nodes.push({
      name,
      labels,
      taints,
      allocatable: { cpuMilli: size.cpu, memoryBytes: size.mem, pods: 110 },
      ready: !chance(0.01),
      unschedulable: chance(0.01),
      usedHostPorts: chance(0.02) ? [9100] : [],
    });
  }
  return nodes;
}

type Template = Omit<ReplicaSpec, 'uid'> & { replicas: number };

function makeTemplate(d: number): Omit<Template, 'replicas'> {
  const name = `app-${d}`;
  const namespace = `team-${d % 12}`;
  const labels = { app: name, tier: pick(['web', 'api', 'worker', 'cache']) };
  const cpu = pick([250, 500, 500, 1000, 1000, 2000, 3000]);
  const mem = pick([256, 512, 1024, 1024, 2048, 4096, 8192]) * MI;
  const base = { namespace, deployment: name, labels, requests: { cpuMilli: cpu, memoryBytes: mem } };
  const kind = random();
  if (kind < 0.35) return base;
  if (kind < 0.5) return { ...base, nodeSelector: chance(0.5) ? { disktype: 'ssd' } : { 'node.kubernetes.io/instance-type': pick(['large', 'xlarge']) } };
  if (kind < 0.58) {
    return {
      ...base,
      nodeSelector: { pool: 'batch' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoSchedule' }],
      scoringStrategy: 'MostAllocated',
    };
  }
  if (kind < 0.66) {
    return {
      ...base,
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: name } }, topologyKey: HOSTNAME_KEY }],
        },
      },
    };
  }
  if (kind < 0.72) {
    return {
      ...base,
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: name } }, topologyKey: HOSTNAME_KEY } },
          ],
        },
      },
    };
  }
  if (kind < 0.8) {
    return {
      ...base,
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: ZONE_KEY, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: name } } },
        { maxSkew: 2, topologyKey: HOSTNAME_KEY, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: name } } },
      ],
    };
  }
  if (kind < 0.86) {
    return {
      ...base,
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'berth.io/generation', operator: 'Gt', values: ['2'] }, { key: ZONE_KEY, operator: 'NotIn', values: ['zone-e'] }] },
            ],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'disktype', operator: 'In', values: ['ssd'] }] } }],
        },
      },
    };
  }
  if (kind < 0.92) return { ...base, scoringStrategy: 'MostAllocated' };
  if (kind < 0.95) {
    return {
      ...base,
      nodeSelector: { accelerator: 'gpu' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
      requests: { cpuMilli: 2000, memoryBytes: 8 * GI },
    };
  }
  if (kind < 0.97) return { ...base, hostPorts: [8080 + (d % 3)] };
  if (kind < 0.985) return { ...base, nodeSelector: { 'topology.kubernetes.io/region': 'mars' } };
  return { ...base, requests: { cpuMilli: 48000, memoryBytes: 8 * GI } };
}

function makeReplicas(nodeCount: number): { pending: PendingReplica[]; deployments: number } {
  const templates: Template[] = [];
  const weights = Array.from({ length: DEPLOYMENTS }, () => 0.2 + random() * random() * 4);
  const total = weights.reduce((a, b) => a + b, 0);
  for (let d = 0; d < DEPLOYMENTS; d++) {
    const t = makeTemplate(d);
    let replicas = Math.max(1, Math.round((weights[d] / total) * REPLICAS));
    // One-per-node deployments cannot outnumber the nodes they may use.
    if (t.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution || t.hostPorts) replicas = Math.min(replicas, Math.floor(nodeCount / 10));
    templates.push({ ...t, replicas, priority: d % 25 === 0 ? 1000 : 0 });
  }
  const queue: PendingReplica[] = [];
  const counters = new Array<number>(templates.length).fill(0);
  let remaining = templates.reduce((a, t) => a + t.replicas, 0);
  // Rescale to exactly REPLICAS by topping up the plain deployments.
  for (let d = 0; remaining < REPLICAS; d = (d + 1) % templates.length) {
    if (!templates[d].affinity && !templates[d].hostPorts && !templates[d].nodeSelector) {
      templates[d].replicas++;
      remaining++;
    }
  }
  while (remaining > REPLICAS) {
    const d = Math.floor(random() * templates.length);
    if (templates[d].replicas > 1) {
      templates[d].replicas--;
      remaining--;
    }
  }
  // Interleave deployments the way a busy queue would see them.
  while (queue.length < REPLICAS) {
    const d = Math.floor(random() * templates.length);
    if (counters[d] >= templates[d].replicas) continue;
    const { replicas: _replicas, ...spec } = templates[d];
    queue.push({ ...spec, uid: `${spec.deployment}-${counters[d]++}` });
  }
  return { pending: queue, deployments: templates.length };
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

function main(): void {
  const t0 = performance.now();
  const nodes = makeNodes();
  const { pending, deployments } = makeReplicas(nodes.length);
  const snapshot: ClusterSnapshot = { nodes, replicas: [], options: { seed: SEED } };
  const generated = (performance.now() - t0) / 1000;
  console.log(`scheduler bench: ${nodes.length} nodes, ${pending.length} replicas from ${deployments} deployments (generated in ${generated.toFixed(2)} s)`);

  const start = performance.now();
  const result = scheduleBatch(snapshot, pending, {
    progressEvery: 5000,
    onProgress: (p) => {
      const elapsed = (performance.now() - start) / 1000;
      console.log(
        `  ${pad(String(p.done), 6)}/${p.total}  placed ${pad(String(p.placed), 6)}  unschedulable ${pad(String(p.unschedulable), 5)}  ${elapsed.toFixed(2)} s  ${Math.round(p.done / elapsed)} /s`,
      );
    },
  });
  const seconds = (performance.now() - start) / 1000;

  const byUid = new Map(pending.map((r) => [r.uid, r]));
  let usedCpu = 0;
  let usedMem = 0;
  for (const p of result.placements) {
    const r = byUid.get(p.replica) as PendingReplica;
    usedCpu += r.requests.cpuMilli;
    usedMem += r.requests.memoryBytes;
  }
  const cpuShare = usedCpu / nodes.reduce((a, n) => a + n.allocatable.cpuMilli, 0);
  const memShare = usedMem / nodes.reduce((a, n) => a + n.allocatable.memoryBytes, 0);
  const placementsPerSec = Math.round(result.placements.length / seconds);
  const decisionsPerSec = Math.round(pending.length / seconds);

  // Which rule kept replicas out, by each failure's most common reason.
  const leading = new Map<string, number>();
  for (const f of result.failures) {
    const top = [...f.reasons.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'no nodes';
    leading.set(top, (leading.get(top) ?? 0) + 1);
  }
  const sample = result.failures.slice(0, 2).map((f) => `${f.replica}: ${f.message}`);

  const rows: [string, string][] = [
    ['nodes', String(nodes.length)],
    ['replicas', String(pending.length)],
    ['deployments', String(deployments)],
    ['placed', String(result.placements.length)],
    ['unschedulable', String(result.failures.length)],
    ['seconds', seconds.toFixed(3)],
    ['placements/s', String(placementsPerSec)],
    ['decisions/s', String(decisionsPerSec)],
    ['cluster cpu requested', `${(cpuShare * 100).toFixed(1)}%`],
    ['cluster memory requested', `${(memShare * 100).toFixed(1)}%`],
    ['target placements/s', '20000'],
  ];
  console.log('');
  console.log('| metric | value |');
  console.log('|---|---|');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  console.log('');
  console.log('| unschedulable replicas | leading reason |');
  console.log('|---|---|');
  for (const [reason, count] of [...leading.entries()].sort((a, b) => b[1] - a[1])) console.log(`| ${count} | ${reason} |`);
  console.log('');
  for (const line of sample) console.log(`  e.g. ${line}`);

  const outDir = join(__dirname, '..', '..', 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const report = {
    benchmark: 'scheduler',
    nodes: nodes.length,
    replicas: pending.length,
    deployments,
    placed: result.placements.length,
    unschedulable: result.failures.length,
    seconds,
    placementsPerSec,
    decisionsPerSec,
    cpuRequestedShare: cpuShare,
    memoryRequestedShare: memShare,
    unschedulableByLeadingReason: Object.fromEntries(leading),
    target: 20000,
    pass: placementsPerSec >= 20000,
    seed: SEED,
    node: process.version,
    recordedAt: new Date().toISOString(),
  };
  writeFileSync(join(outDir, 'scheduler.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify({ placementsPerSec, nodes: nodes.length, replicas: pending.length }));
}

main();
