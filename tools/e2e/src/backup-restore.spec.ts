import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { activeReplicasOf, ClusterState } from '@berth/cluster-state';
import { createPool, EventStore } from '@berth/event-store';
import { dropSchema, foldLog, startCluster, TEST_DATABASE_URL, TestCluster, WORKSPACE_ROOT } from '@berth/testing';

const run = promisify(execFile);
jest.setTimeout(900_000);

const MANIFESTS = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: web
        image: nginx:latest
        ports: [{ containerPort: 80 }]
        resources: { requests: { cpu: 100m, memory: 64Mi } }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  type: NodePort
  selector: { app: web }
  ports: [{ port: 80, targetPort: 80 }]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 3
  maxReplicas: 6
  metrics:
  - type: Resource
    resource: { name: cpu, target: { type: Utilization, averageUtilization: 80 } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api }
spec:
  replicas: 2
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      containers:
      - name: api
        image: nginx:latest
`;

interface Snapshot {
  position: number;
  deployments: { name: string; desired: number; current: number; bound: number; ready: number }[];
  services: { name: string; type: string; ports: string[] }[];
  horizontalPodAutoscalers: { name: string; minReplicas: number; maxReplicas: number; desiredReplicas?: number }[];
  nodes: { name: string; status: string }[];
}

/** Uids of the deployment's replicas that are not being deleted, sorted. */
function activeUids(state: ClusterState, deployment: string): string[] {
  const d = state.deployments.get(`default/${deployment}`);
  return d ? activeReplicasOf(state, d).map((r) => r.uid).sort() : [];
}

interface KubeList {
  items: { kind?: string; metadata: { name: string; uid?: string }; spec: Record<string, unknown> }[];
}

/**
 * Disaster recovery as an operator does it: a running cluster (hollow nodes) with a Deployment,
 * a Service and an HPA is backed up live with `berth admin backup`, the cluster and its schema go
 * away, `berth admin restore` loads the file into a new schema, and a new control plane and the
 * same nodes started on it come back to the same state, with the replicas running again.
 */
describe('backup and restore of a whole cluster (berth admin backup / restore / state)', () => {
  const base = `bk${randomBytes(3).toString('hex')}`;
  const restoredSchema = `bk_restored_${randomBytes(4).toString('hex')}`;
  let first: TestCluster | undefined;
  let second: TestCluster | undefined;
  let home: string;

  const berth = async (args: string[], options: { server?: string; schema?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> => {
    const env: Record<string, string | undefined> = { ...process.env, HOME: home, BERTH_CLI_FROM_SOURCE: '1' };
    if (options.schema) Object.assign(env, { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: options.schema });
    const all = options.server ? [...args, '--server', options.server] : args;
    try {
      const { stdout, stderr } = await run(process.execPath, [join(WORKSPACE_ROOT, 'tools/bin/berth.js'), ...all], { cwd: WORKSPACE_ROOT, env, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  };
  const ok = async (args: string[], options: { server?: string; schema?: string } = {}): Promise<string> => {
    const result = await berth(args, options);
    if (result.code !== 0) throw new Error(`berth ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  };
  const state = async (schema: string, at?: number): Promise<Snapshot> =>
    JSON.parse(await ok(['admin', 'state', '-o', 'json', ...(at === undefined ? [] : ['--at', String(at)])], { schema })) as Snapshot;
  const objects = async (server: string): Promise<KubeList['items']> => (JSON.parse(await ok(['get', 'deploy,svc,hpa', '-o', 'json'], { server })) as KubeList).items;
  /** What must survive a restore: names, kinds and specs (status and server-side times move on). */
  const specs = (items: KubeList['items']) =>
    items
      .map((item) => ({ kind: item.kind, name: item.metadata.name, uid: item.metadata.uid, spec: item.spec }))
      .sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
  /** One agent hosting two hollow nodes, `<base>-0` and `<base>-1`; the restored cluster gets the same names and addresses. */
  const hollowNodes = (advertise?: string) => () => ({
    RUNTIME: 'hollow',
    HOLLOW_NODES: '2',
    NODE_NAME: base,
    ...(advertise ? { ADVERTISE_ADDRESS: advertise } : {}),
    HOLLOW_CPU_MILLI: '4000',
    HOLLOW_MEMORY_BYTES: '8Gi',
  });

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'berth-backup-e2e-'));
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    await dropSchema(restoredSchema);
    rmSync(home, { recursive: true, force: true });
  });

  it('backs a live cluster up, restores it into a new schema, and a new cluster on it comes back to the same state', async () => {
    // 1. A cluster on two hollow nodes, with a deployment + service + HPA and a second deployment.
    first = await startCluster({ nodes: 1, env: { HEARTBEAT_INTERVAL_MS: '500' }, nodeEnv: hollowNodes() });
    const address = first.nodeAddresses[0];
    const server = first.gatewayUrl;
    const schema = first.db.options.schema;
    writeFileSync(join(home, 'app.yaml'), MANIFESTS);
    await ok(['apply', '-f', join(home, 'app.yaml')], { server });
    await ok(['rollout', 'status', 'deployment/web', '--timeout', '180s'], { server });
    await ok(['rollout', 'status', 'deployment/api', '--timeout', '180s'], { server });
    const beforeScale = await state(schema);
    expect(beforeScale.deployments.find((d) => d.name === 'api')).toMatchObject({ desired: 2, bound: 2, ready: 2 });

    // 2. A scale; time travel shows the replica count from before it.
    await ok(['scale', 'deployment/api', '--replicas', '4'], { server });
    await ok(['rollout', 'status', 'deployment/api', '--timeout', '180s'], { server });
    const then = await state(schema, beforeScale.position);
    expect(then.position).toBe(beforeScale.position);
    expect(then.deployments.find((d) => d.name === 'api')).toMatchObject({ desired: 2, current: 2, bound: 2, ready: 2 });
    const now = await state(schema);
    expect(now.deployments.find((d) => d.name === 'api')).toMatchObject({ desired: 4, current: 4, bound: 4, ready: 4 });
    const table = await ok(['admin', 'state', '--at', String(beforeScale.position)], { schema });
    expect(table).toMatch(new RegExp(`^Cluster state at position ${beforeScale.position}, recorded .*\\(the log's head is \\d+\\)\\n`));
    expect(table).toMatch(/\ndefault +api +2 +2 +2 +2 +1 +nginx:latest\n/);

    // 3. Backup while the cluster runs, then the cluster and its schema are gone.
    const objectsBefore = specs(await objects(server));
    expect(objectsBefore.map((o) => `${o.kind}/${o.name}`)).toEqual(['Deployment/api', 'Deployment/web', 'HorizontalPodAutoscaler/web', 'Service/web']);
    const replicasBefore = await foldLog(first.db.store);
    const file = join(home, 'cluster.ndjson.gz');
    const backup = await berth(['admin', 'backup', '-f', file], { schema });
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^backed up \d+ events \(last position \d+\) of schema .* \(gzip\) in /);
    const backedUp = Number(/last position (\d+)/.exec(backup.stdout)?.[1]);
    const webBefore = activeUids(replicasBefore, 'web');
    const apiBefore = activeUids(replicasBefore, 'api');
    expect([webBefore.length, apiBefore.length]).toEqual([3, 4]);
    await first.stop();
    first = undefined;

    // 4. Restore into a new, empty schema.
    const restore = await berth(['admin', 'restore', '-f', file], { schema: restoredSchema });
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(new RegExp(`^restored \\d+ events \\(last position ${backedUp}\\) into schema ${restoredSchema} in `));
    const restoredState = await state(restoredSchema);
    expect(restoredState.position).toBe(backedUp);

    // 5. A new control plane and the same nodes on the restored schema: the same objects, and every replica runs again.
    // The node-agents are up before the monitor (as when they keep running through the restore): the monitor
    // gives nodes the log knows a grace period from its start, shorter than an agent's boot (docs/reliability.md).
    second = await startCluster({
      nodes: 1,
      services: ['api-gateway', 'scheduler', 'autoscaler'],
      env: { HEARTBEAT_INTERVAL_MS: '500', DATABASE_SCHEMA: restoredSchema },
      nodeEnv: hollowNodes(address),
    });
    await second.startControlPlane('monitor');
    const server2 = second.gatewayUrl;
    await ok(['rollout', 'status', 'deployment/web', '--timeout', '180s'], { server: server2 });
    await ok(['rollout', 'status', 'deployment/api', '--timeout', '180s'], { server: server2 });
    expect(specs(await objects(server2))).toEqual(objectsBefore);

    const pool = createPool({ url: TEST_DATABASE_URL, schema: restoredSchema, poolSize: 2 });
    try {
      const store = new EventStore(pool, restoredSchema);
      // The agents, starting with nothing, ran the replicas the log had bound to them: the same replicas, each
      // reported again (started and/or ready: a started report identical to the restored one is deduplicated
      // by its event id) after the restored part of the log.
      const reportedAgain = async (): Promise<Set<string>> =>
        new Set(
          (await store.readAll(backedUp, 100_000))
            .filter((e) => e.type === 'ReplicaStarted' || e.type === 'ReplicaReady')
            .map((e) => e.streamId.slice('replica:'.length)),
        );
      const active = (s: ClusterState) => {
        const web = s.deployments.get('default/web');
        const api = s.deployments.get('default/api');
        return web && api ? [...activeReplicasOf(s, web), ...activeReplicasOf(s, api)] : [];
      };
      const deadline = Date.now() + 240_000;
      let reconciled = await foldLog(store);
      for (;;) {
        const again = await reportedAgain();
        const replicas = active(reconciled);
        if (replicas.length === 7 && replicas.every((r) => r.ready && again.has(r.uid))) break;
        if (Date.now() > deadline) {
          // What the restored cluster did, for the failure message.
          const since = (await store.readAll(backedUp, 2_000)).filter((e) => e.type !== 'HorizontalPodAutoscalerStatusChanged');
          const lines = since.map((e) => `${e.globalPosition} ${e.recordedAt.toISOString()} ${e.streamId} ${e.type}`);
          throw new Error(`timed out waiting for every replica reported running and ready again after the restore; events after the backup:\n${lines.join('\n')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
        reconciled = await foldLog(store);
      }
      expect(activeUids(reconciled, 'web')).toEqual(webBefore);
      expect(activeUids(reconciled, 'api')).toEqual(apiBefore);
      expect([...(await reportedAgain())].sort()).toEqual([...webBefore, ...apiBefore].sort());

      const final = await state(restoredSchema);
      expect(final.deployments.map((d) => [d.name, d.desired, d.current, d.bound, d.ready])).toEqual([
        ['api', 4, 4, 4, 4],
        ['web', 3, 3, 3, 3],
      ]);
      expect(final.services.map((s) => [s.name, s.type, s.ports])).toEqual(now.services.map((s) => [s.name, s.type, s.ports]));
      expect(final.horizontalPodAutoscalers).toEqual([expect.objectContaining({ name: 'web', minReplicas: 3, maxReplicas: 6, desiredReplicas: 3 })]);
      expect(final.nodes.map((n) => [n.name, n.status])).toEqual([
        [`${base}-0`, 'Ready'],
        [`${base}-1`, 'Ready'],
      ]);
      // The log goes on from the restored position.
      expect(await store.headPosition()).toBeGreaterThan(backedUp);
    } finally {
      await pool.end();
    }
  });
});
