import { rmSync } from 'node:fs';
import type { ServiceProcess } from '@berth/testing';
import { buildTestImages, containersOf, ControlPlaneSide, docker, removeContainersOf, replica, startAgent, uniqueNode, waitFor } from './node-agent-control-plane.fixture';

const sandboxesOf = async (node: string) => (await containersOf(node)).filter((c) => c.Labels['berth.sandbox'] === 'true');
const replicasOf = async (node: string) => (await containersOf(node)).filter((c) => c.Labels['berth.sandbox'] !== 'true');

/** SANDBOX_POOL_SIZE: replicas start in network sandboxes made ahead of time; adoption and clean-up stay right. */
describe('node-agent with a sandbox pool', () => {
  const node = uniqueNode('sbx');
  let plane: ControlPlaneSide;
  const agents: (ServiceProcess & { stateDir: string })[] = [];

  beforeAll(async () => {
    buildTestImages();
    plane = await ControlPlaneSide.connect(node);
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await plane?.close();
    await removeContainersOf(node);
    if (agents[0]) rmSync(agents[0].stateDir, { recursive: true, force: true });
  });

  it('runs a replica from the pool on its reported port, adopts it after a crash, removes spares and, with the replica, its sandbox', async () => {
    const first = await startAgent(node, { SANDBOX_POOL_SIZE: '2' });
    agents.push(first);
    const http = { image: 'berth/http:test', ports: [{ containerPort: 80, protocol: 'TCP' as const }] };
    const warm = replica(http);
    plane.add(warm);
    await plane.waitForReport(warm.uid, 'ready');
    // The first replica of a port signature takes the normal path; the pool then keeps 2 spares of it.
    await waitFor(async () => (await sandboxesOf(node)).filter((s) => s.State === 'running').length === 2, 30_000, 'two spare sandboxes');

    const pooled = replica(http);
    plane.add(pooled);
    const [started] = await plane.waitForReport(pooled.uid, 'started');
    await plane.waitForReport(pooled.uid, 'ready');
    const container = await docker.getContainer(started.containerId as string).inspect();
    const sandboxId = container.Config.Labels['berth.sandbox-id'];
    expect(sandboxId).toBeTruthy();
    expect(container.HostConfig.NetworkMode).toBe(`container:${sandboxId}`);
    const port = Number(started.hostPorts?.['80']);
    expect(port).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // Sandboxes are never reported as replicas.
    await waitFor(async () => (await sandboxesOf(node)).length === 3, 30_000, 'the pool to refill');
    expect(plane.reports.every((r) => r.replicaUid === warm.uid || r.replicaUid === pooled.uid)).toBe(true);

    // A crash leaves the spares behind; the next agent removes them and adopts the pooled replica with its sandbox.
    await first.kill();
    const second = await startAgent(node, { STATE_DIR: first.stateDir });
    agents.push(second);
    await waitFor(async () => (await sandboxesOf(node)).map((s) => s.Id).join() === sandboxId, 30_000, 'the stale spares to be removed');
    expect((await replicasOf(node)).map((c) => c.Id).sort()).toEqual(
      [started.containerId as string, (await plane.waitForReport(warm.uid, 'started'))[0].containerId as string].sort(),
    );
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    // The replica goes: its sandbox goes with it.
    plane.remove(pooled.uid);
    await plane.waitForReport(pooled.uid, 'stopped');
    await waitFor(async () => (await sandboxesOf(node)).length === 0, 20_000, 'the sandbox to be removed with its replica');
    expect((await replicasOf(node)).map((c) => c.Labels['berth.replica'])).toEqual([warm.uid]);
  }, 150_000);
});
