import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { applyInPlace, ClusterState, emptyClusterState, ReplicaState } from '@berth/cluster-state';
import { NewEvent, RecordedEvent, streamIds } from '@berth/contracts';
import { loadManifests } from '@berth/manifests';
import { startCluster, TestCluster, waitForState, WORKSPACE_ROOT } from '@berth/testing';

const run = promisify(execFile);
jest.setTimeout(300_000);

const DEPLOYMENT = 'default/nginx-deployment';
const stream = streamIds.deployment('default', 'nginx-deployment');

function seedManifests(): Record<string, unknown>[] {
  const text = readFileSync(join(WORKSPACE_ROOT, 'libs/manifests/src/fixtures/nginx.yaml'), 'utf8');
  const loaded = loadManifests(text);
  return loaded.documents.map((doc) => {
    if (!doc.ok) throw new Error(JSON.stringify(doc.errors));
    return doc.value as unknown as Record<string, unknown>;
  });
}

/** The image of a replica's (only) container. */
const imageOf = (r: ReplicaState): unknown => (r.template['spec'] as { containers: { image: string }[] }).containers[0]?.image;

const live = (s: ClusterState, deployment = DEPLOYMENT): ReplicaState[] =>
  [...s.replicas.values()].filter((r) => r.deploymentKey === deployment && !r.deletionRequested);
const readyCount = (s: ClusterState, deployment = DEPLOYMENT): number =>
  [...s.replicas.values()].filter((r) => r.deploymentKey === deployment && r.ready && !r.stopped).length;

/**
 * The seed example on the real Docker engine: real scheduler, monitor and two node-agents
 * (each advertising its own loopback address), wired only through Postgres and NATS. Deployment
 * events are appended the way the gateway appends them.
 */
describe('the seed Deployment on real Docker', () => {
  let cluster: TestCluster;
  let seed: Record<string, unknown>;

  const append = async (events: NewEvent[]) => {
    await cluster.db.store.append(stream, await cluster.db.store.streamVersion(stream), events);
  };
  const until = (what: string, check: (s: ClusterState) => boolean, timeoutMs = 90_000) => waitForState(what, check, cluster.db.store, timeoutMs);

  beforeAll(async () => {
    execFileSync('bash', [join(WORKSPACE_ROOT, 'tools/images/build-images.sh'), '--quiet']);
    await run('docker', ['tag', 'berth/http:test', 'berth/http:v2']);
    seed = seedManifests()[0];
    cluster = await startCluster({ nodes: 2, services: ['scheduler', 'monitor'], env: { HEARTBEAT_INTERVAL_MS: '500' } });
    await until('2 ready nodes', (s) => cluster.nodeNames.every((n) => s.nodes.get(n)?.ready));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('runs the 3 nginx replicas, each answering HTTP on its node address', async () => {
    await append([{ type: 'DeploymentCreated', data: { manifest: seed } }]);
    const state = await until('3 available replicas', (s) => s.deployments.get(DEPLOYMENT)?.status?.availableReplicas === 3);
    const replicas = live(state);
    expect(replicas).toHaveLength(3);
    for (const replica of replicas) {
      expect(cluster.nodeAddresses).toContain(replica.hostIp);
      const response = await fetch(`http://${replica.hostIp}:${replica.hostPorts?.['80']}/`);
      expect(response.status).toBe(200);
    }
    expect(new Set(replicas.map((r) => r.node)).size).toBe(2);
    expect(await cluster.containers()).toHaveLength(3);
  });

  it('scales 3 -> 10 -> 2, and Docker runs exactly the desired containers', async () => {
    await append([{ type: 'DeploymentScaled', data: { replicas: 10 } }]);
    await until('10 available', (s) => s.deployments.get(DEPLOYMENT)?.status?.availableReplicas === 10);
    await append([{ type: 'DeploymentScaled', data: { replicas: 2 } }]);
    await until('2 replicas left', (s) => live(s).length === 2 && readyCount(s) === 2);
    const deadline = Date.now() + 60_000;
    while ((await cluster.containers()).length !== 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await cluster.containers()).toHaveLength(2);
  });

  it('rolls out a new image with maxUnavailable 0 without ever dropping below 3 ready replicas', async () => {
    await append([{ type: 'DeploymentScaled', data: { replicas: 3 } }]);
    await until('3 available again', (s) => s.deployments.get(DEPLOYMENT)?.status?.availableReplicas === 3 && live(s).length === 3);
    const from = await cluster.db.store.headPosition();
    const updated = structuredClone(seed) as { spec: Record<string, unknown> & { template: { spec: { containers: Record<string, unknown>[] } } } };
    updated.spec['replicas'] = 3;
    updated.spec['strategy'] = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    updated.spec.template.spec.containers[0]['image'] = 'berth/http:v2';
    updated.spec.template.spec.containers[0]['imagePullPolicy'] = 'IfNotPresent';
    await append([{ type: 'DeploymentUpdated', data: { manifest: updated } }]);
    const done = await until(
      'every replica on the new image and available',
      (s) => live(s).length === 3 && live(s).every((r) => imageOf(r) === 'berth/http:v2') && readyCount(s) === 3,
    );
    // Replay the log event by event from before the update: the invariant holds at every position.
    const events: RecordedEvent[] = await cluster.db.store.readAll(0, 100_000);
    const replay = emptyClusterState();
    let minReady = Infinity;
    for (const event of events) {
      applyInPlace(replay, event);
      if (event.globalPosition > from) minReady = Math.min(minReady, readyCount(replay));
    }
    expect(minReady).toBeGreaterThanOrEqual(3);
    expect(done.deployments.get(DEPLOYMENT)?.status?.updatedReplicas).toBe(3);
  });

  it('stalls on a broken image without taking the old replicas down, and rollback restores it', async () => {
    const broken = structuredClone(seed) as { spec: Record<string, unknown> & { template: { spec: { containers: Record<string, unknown>[] } } } };
    broken.spec['replicas'] = 3;
    broken.spec['strategy'] = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    broken.spec.template.spec.containers[0]['image'] = 'berth/not-there:1';
    broken.spec.template.spec.containers[0]['imagePullPolicy'] = 'Never';
    await append([{ type: 'DeploymentUpdated', data: { manifest: broken } }]);
    const stalled = await until('the new replica to fail with ErrImageNeverPull', (s) =>
      [...s.replicas.values()].some((r) => r.deploymentKey === DEPLOYMENT && r.failure?.reason === 'ErrImageNeverPull'),
    );
    expect(readyCount(stalled)).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 3_000));
    const still = await until('old replicas still serving', (s) => readyCount(s) >= 3, 5_000);
    expect(live(still).filter((r) => imageOf(r) === 'berth/http:v2' && r.ready)).toHaveLength(3);

    await append([{ type: 'DeploymentRolledBack', data: { toRevision: 0 } }]);
    await until(
      'the rollback to berth/http:v2 to settle',
      (s) => live(s).length === 3 && live(s).every((r) => imageOf(r) === 'berth/http:v2') && readyCount(s) === 3,
    );
  });

  it('reports a replica that fits nowhere with the counted reason', async () => {
    const huge = structuredClone(seed) as { metadata: Record<string, unknown>; spec: Record<string, unknown> & { template: { spec: { containers: Record<string, unknown>[] } } } };
    huge.metadata['name'] = 'huge';
    huge.spec['replicas'] = 1;
    huge.spec.template.spec.containers[0]['resources'] = { requests: { cpu: '64' } };
    await cluster.db.store.append(streamIds.deployment('default', 'huge'), 'no_stream', [{ type: 'DeploymentCreated', data: { manifest: huge } }]);
    const state = await until('the unschedulable reason', (s) =>
      [...s.replicas.values()].some((r) => r.deploymentKey === 'default/huge' && r.unschedulableMessage !== undefined),
    );
    const replica = [...state.replicas.values()].find((r) => r.deploymentKey === 'default/huge');
    expect(replica?.unschedulableMessage).toMatch(/^0\/2 nodes are available: 2 Insufficient cpu/);
    await cluster.db.store.append(streamIds.deployment('default', 'huge'), 'any', [{ type: 'DeploymentDeleted', data: {} }]);
  });

  it("brings a killed node's replicas back on the other node", async () => {
    const before = await until('3 ready replicas', (s) => readyCount(s) === 3 && live(s).length === 3);
    const victim = live(before).find((r) => r.node)?.node as string;
    const survivor = cluster.nodeNames.find((n) => n !== victim) as string;
    const started = Date.now();
    await cluster.services.get(`node-agent:${cluster.nodeNames.indexOf(victim)}`)?.kill();
    const { stdout } = await run('docker', ['ps', '-q', '--filter', `label=berth.node=${victim}`]);
    const ids = stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await run('docker', ['rm', '-f', ...ids]);
    await until('every replica running and ready on the surviving node', (s) => {
      const replicas = live(s);
      return replicas.length === 3 && replicas.every((r) => r.node === survivor && r.ready);
    });
    const seconds = (Date.now() - started) / 1000;
    // Figures belong to benchmarks; this only shows the recovery happens, and prints how long it took.
    process.stdout.write(`node loss -> 3 replicas ready on ${survivor} in ${seconds.toFixed(1)} s\n`);
  });
});
