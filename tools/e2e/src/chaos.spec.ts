import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { auditLog, auditRelay, logAuditProblems, ServiceName, startCluster, TestCluster, WORKSPACE_ROOT } from '@berth/testing';
import {
  ApiClient,
  chaosDeployment,
  CHAOS_NAMESPACE,
  clusterContainers,
  ConvergenceOptions,
  Declared,
  expectGatewayShows,
  rollTo,
  scaleTo,
  seededRandom,
  sleep,
  waitForConvergence,
} from './chaos.fixture';

/** CI runs a few rounds (`npm test`); `npm run test:chaos` runs CHAOS_ROUNDS=20 or more. */
const ROUNDS = Number(process.env['CHAOS_ROUNDS'] ?? 6);
/** The same on hollow nodes (simulated containers, more replicas); off unless asked for. */
const HOLLOW_ROUNDS = Number(process.env['CHAOS_HOLLOW_ROUNDS'] ?? 0);
const SEED = Number(process.env['CHAOS_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const VICTIMS = ['api-gateway', 'scheduler', 'autoscaler', 'monitor', 'node-agent', 'all'] as const;
type Victim = (typeof VICTIMS)[number];
const CONTROL_PLANE: Exclude<ServiceName, 'node-agent'>[] = ['api-gateway', 'scheduler', 'monitor', 'autoscaler'];

jest.setTimeout(180_000 + (ROUNDS + HOLLOW_ROUNDS) * 60_000);

interface RoundRecord {
  round: number;
  victim: string;
  op: string;
  killedAfterMs: number;
  downMs: number;
  restartMs: number;
}

interface ChaosRun {
  cluster: TestCluster;
  api: ApiClient;
  rounds: number;
  seed: number;
  /** Replicas are scaled between 1 and this. */
  maxReplicas: number;
  convergence: ConvergenceOptions;
  records: RoundRecord[];
}

/** SIGKILL, a random pause, then start again and wait for /healthz. */
async function killAndRestart(cluster: TestCluster, victim: Victim, random: () => number): Promise<{ label: string; downMs: number; restartMs: number }> {
  const agents = cluster.nodeNames.length;
  const nodeIndex = Math.floor(random() * agents);
  const downMs = Math.floor(random() * 1_000);
  const targets = victim === 'all' ? [...cluster.services.keys()] : victim === 'node-agent' ? [`node-agent:${nodeIndex}`] : [victim];
  await Promise.all(targets.map((key) => cluster.services.get(key)?.kill()));
  await sleep(downMs);
  const started = Date.now();
  if (victim === 'all') {
    await Promise.all(CONTROL_PLANE.map((name) => cluster.startControlPlane(name)));
    await Promise.all(cluster.nodeNames.map((_, i) => cluster.startNode(i)));
  } else if (victim === 'node-agent') {
    await cluster.startNode(nodeIndex);
  } else {
    await cluster.startControlPlane(victim);
  }
  return { label: victim === 'node-agent' ? `node-agent ${cluster.nodeNames[nodeIndex]}` : victim, downMs, restartMs: Date.now() - started };
}

/**
 * The rounds: each scales or rolls the Deployment through the gateway and kills one kind of
 * process (in turn; every sixth round all of them) either while the operation is in flight or
 * before it is requested; then everything must converge and the log must be clean.
 */
async function runChaos(run: ChaosRun): Promise<void> {
  const { cluster, api } = run;
  const random = seededRandom(run.seed);
  const declared: Declared = { name: 'chaos', replicas: Math.min(3, run.maxReplicas), round: 0 };
  await api.ok('POST', `/apis/apps/v1/namespaces/${CHAOS_NAMESPACE}/deployments`, chaosDeployment(declared.name, declared.replicas, 0));

  for (let round = 1; round <= run.rounds; round++) {
    const victim = VICTIMS[(round - 1) % VICTIMS.length];
    let op: string;
    let issue: () => Promise<unknown>;
    if (round % 2 === 1) {
      let replicas = declared.replicas;
      while (replicas === declared.replicas) replicas = 1 + Math.floor(random() * run.maxReplicas);
      declared.replicas = replicas;
      op = `scale to ${replicas}`;
      issue = () => scaleTo(api, declared.name, replicas);
    } else {
      declared.round = round;
      op = `roll to template ${round}`;
      issue = () => rollTo(api, declared.name, round);
    }
    // Either the operation is in flight (the request, or the rollout it started) when the victim
    // dies, or it is requested while the victim is down.
    const duringDowntime = random() < 0.5;
    const killedAfterMs = duringDowntime ? 0 : Math.floor(random() * 1_500);
    const operation = duringDowntime ? null : issue();
    await sleep(killedAfterMs);
    const restarted = killAndRestart(cluster, victim, random);
    const late = duringDowntime ? issue() : null;
    const { label, downMs, restartMs } = await restarted;
    await (operation ?? late);
    run.records.push({ round, victim: label, op: duringDowntime ? `${op} (requested while down)` : op, killedAfterMs, downMs, restartMs });
  }

  const converged = Date.now();
  await waitForConvergence(cluster, declared, 180_000, run.convergence);
  process.stdout.write(`chaos: converged to ${JSON.stringify(declared)} ${((Date.now() - converged) / 1000).toFixed(1)} s after the last round\n`);
  await expectGatewayShows(api, declared);

  const audit = await auditLog(cluster.db.pool, cluster.db.options.schema);
  expect(logAuditProblems(audit)).toEqual([]);
  // Each template was recorded as a revision once: a controller that crashed mid-append did not write it twice.
  const revisions = await cluster.db.pool.query<{ hash: string; n: string }>(
    `SELECT data->>'templateHash' AS hash, count(*) AS n FROM "${cluster.db.options.schema}".events
     WHERE stream_id = $1 AND type = 'DeploymentRevisionCreated' GROUP BY 1 HAVING count(*) > 1`,
    [`deployment:${CHAOS_NAMESPACE}/${declared.name}`],
  );
  expect(revisions.rows).toEqual([]);

  // The relay published every event exactly once, whichever copy held the lease when it died.
  let relay = await auditRelay(cluster.nats.url, cluster.db.pool, cluster.db.options.schema);
  const deadline = Date.now() + 30_000;
  while (relay.missing.length > 0 && Date.now() < deadline) {
    await sleep(500);
    relay = await auditRelay(cluster.nats.url, cluster.db.pool, cluster.db.options.schema);
  }
  expect({ missing: relay.missing, duplicated: relay.duplicated, unknown: relay.unknown }).toEqual({ missing: [], duplicated: [], unknown: [] });

  // Stays converged: nothing left over keeps acting (a late duplicate container, a stale controller).
  await sleep(3_000);
  await waitForConvergence(cluster, declared, 10_000, run.convergence);
  if (run.convergence.docker !== false) expect((await clusterContainers(cluster)).filter((c) => c.state === 'running')).toHaveLength(declared.replicas);
  process.stdout.write(`chaos: ${audit.events} events in ${audit.streams} streams; requests retried: ${JSON.stringify(api.attempts)}\n`);
}

const report = (title: string, seed: number, records: RoundRecord[]) => {
  if (records.length === 0) return;
  process.stdout.write(
    `${title}, seed ${seed}\n${records.map((r) => `round ${r.round}: killed ${r.victim} ${r.killedAfterMs} ms into "${r.op}", down ${r.downMs} ms, healthy again after ${r.restartMs} ms`).join('\n')}\n`,
  );
};

/**
 * Chaos: a Deployment is scaled and rolled through the gateway's HTTP API while, round after round,
 * one kind of Berth process (then all of them at once) is killed with SIGKILL and started again.
 * Afterwards the system must reach exactly the declared state, and the log, the event stream and
 * the Docker engine must carry no trace of the crashes: no duplicate event, no gap in a stream,
 * no replica bound twice, no orphan or duplicate container.
 */
describe(`chaos: kill -9 Berth services while a Deployment scales and rolls (${ROUNDS} rounds, seed ${SEED})`, () => {
  let cluster: TestCluster;
  const records: RoundRecord[] = [];

  beforeAll(async () => {
    execFileSync('bash', [join(WORKSPACE_ROOT, 'tools/images/build-images.sh'), '--quiet']);
    cluster = await startCluster({ nodes: 2, env: { HEARTBEAT_INTERVAL_MS: '500' } });
  });
  afterAll(async () => {
    report('chaos on Docker', SEED, records);
    await cluster?.stop();
  });

  it('converges to the declared state with a clean log, a clean event stream and exactly the desired containers', async () => {
    const api = new ApiClient(() => `http://127.0.0.1:${cluster.services.get('api-gateway')?.port}`);
    await runChaos({ cluster, api, rounds: ROUNDS, seed: SEED, maxReplicas: 5, convergence: {}, records });
  });
});

/** The same rounds on hollow nodes (RUNTIME=hollow): 4 simulated nodes in one agent process, up to 40 replicas. */
(HOLLOW_ROUNDS > 0 ? describe : describe.skip)(`chaos on hollow nodes (${HOLLOW_ROUNDS} rounds, seed ${SEED})`, () => {
  const HOLLOW_NODES = 4;
  let cluster: TestCluster;
  const records: RoundRecord[] = [];

  beforeAll(async () => {
    cluster = await startCluster({
      nodes: 1,
      env: { HEARTBEAT_INTERVAL_MS: '500' },
      nodeEnv: () => ({ RUNTIME: 'hollow', HOLLOW_NODES: String(HOLLOW_NODES), HOLLOW_CPU_MILLI: '64000', HOLLOW_MEMORY_BYTES: '64Gi' }),
    });
  });
  afterAll(async () => {
    report('chaos on hollow nodes', SEED, records);
    await cluster?.stop();
  });

  it('converges to the declared state with a clean log and a clean event stream', async () => {
    const api = new ApiClient(() => `http://127.0.0.1:${cluster.services.get('api-gateway')?.port}`);
    const nodeNames = Array.from({ length: HOLLOW_NODES }, (_, i) => `${cluster.nodeNames[0]}-${i}`);
    await runChaos({ cluster, api, rounds: HOLLOW_ROUNDS, seed: SEED + 1, maxReplicas: 40, convergence: { docker: false, nodeNames }, records });
  });
});
