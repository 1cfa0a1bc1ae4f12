import { rmSync } from 'node:fs';
import type { ServiceProcess } from '@berth/testing';
import { ControlPlaneSide, replica, startAgent, uniqueNode, waitFor } from './node-agent-control-plane.fixture';

/** RUNTIME=hollow: one process, many simulated nodes, each with the real agent's code paths. */
describe('node-agent with hollow nodes', () => {
  const base = uniqueNode('th');
  const nodes = Array.from({ length: 40 }, (_, i) => `${base}-${i}`);
  let plane: ControlPlaneSide;
  let agent: ServiceProcess & { stateDir: string };

  beforeAll(async () => {
    plane = await ControlPlaneSide.connect(nodes);
    agent = await startAgent(base, { RUNTIME: 'hollow', HOLLOW_NODES: String(nodes.length), ADVERTISE_ADDRESS: '127.0.1.1', HOLLOW_CPU_MILLI: '4000', HOLLOW_MEMORY_BYTES: '8Gi', RESTART_BACKOFF_INITIAL_MS: '50' });
  });

  afterAll(async () => {
    await agent?.stop();
    await plane?.close();
    if (agent) rmSync(agent.stateDir, { recursive: true, force: true });
  });

  it('registers every hollow node with its own address and asks for each desired state', async () => {
    await waitFor(() => nodes.every((node) => plane.heartbeats.some((h) => h.node === node)) || undefined, 30_000, 'a heartbeat from every hollow node');
    const heartbeat = (node: string) => plane.heartbeats.find((h) => h.node === node);
    expect(heartbeat(nodes[0])).toMatchObject({ address: '127.0.1.1', capacity: { cpuMilli: 4000, memoryBytes: 8 * 1024 ** 3 }, info: { runtime: 'hollow' }, labels: { 'kubernetes.io/hostname': nodes[0] } });
    expect(heartbeat(nodes[2])?.address).toBe('127.0.1.3');
    expect(new Set(nodes.map((node) => heartbeat(node)?.bootId)).size).toBe(nodes.length);
    await waitFor(() => nodes.every((node) => plane.desiredRequests.some((r) => r.node === node)) || undefined, 10_000, 'a desired-state request from every node');
    const health = await fetch(`http://127.0.0.1:${agent.port}/healthz`);
    expect(health.status).toBe(200);
  });

  it('runs, probes, restarts and stops replicas on a hollow node like on a real one', async () => {
    const node = nodes[1];
    const web = replica({
      image: 'nginx:latest',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      readinessProbe: { httpGet: { path: '/', port: 80, scheme: 'HTTP' }, initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    });
    const crash = replica({ image: 'berth/crash:test', env: { HOLLOW_EXIT_AFTER_MS: '100', HOLLOW_EXIT_CODE: '4' } });
    plane.setReplicas([web, crash], node);
    const [started] = await plane.waitForReport(web.uid, 'started');
    expect(started).toMatchObject({ node, hostIp: '127.0.1.2', restartCount: 0 });
    expect(started.hostPorts?.['80']).toBeGreaterThanOrEqual(20000);
    await plane.waitForReport(web.uid, 'ready');
    const exits = await plane.waitForReport(crash.uid, 'exited', 3);
    expect(exits.slice(0, 3).map((e) => [e.exitCode, e.reason, e.restartCount])).toEqual([
      [4, 'Error', 0],
      [4, 'Error', 1],
      [4, 'Error', 2],
    ]);
    plane.setReplicas([], node);
    await plane.waitForReport(web.uid, 'stopped');
    await plane.waitForReport(crash.uid, 'stopped');
    // Other nodes saw nothing.
    expect(plane.reports.every((r) => r.node === node)).toBe(true);
  });
});
