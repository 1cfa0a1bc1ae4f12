import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startCluster, TestCluster, WORKSPACE_ROOT } from '@berth/testing';

const run = promisify(execFile);
jest.setTimeout(300_000);

/**
 * The README's quickstart, the way a user does it: the real `berth` CLI against the real
 * gateway, scheduler, monitor, autoscaler and two node-agents on the real Docker engine.
 */
describe('quickstart: berth apply -f examples/nginx.yaml', () => {
  let cluster: TestCluster;
  let home: string;

  const berth = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [join(WORKSPACE_ROOT, 'tools/bin/berth.js'), ...args, '--server', cluster.gatewayUrl], {
        cwd: WORKSPACE_ROOT,
        env: { ...process.env, HOME: home, BERTH_CLI_FROM_SOURCE: '1' },
        timeout: 240_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  };

  beforeAll(async () => {
    execFileSync('bash', [join(WORKSPACE_ROOT, 'tools/images/build-images.sh'), '--quiet']);
    home = mkdtempSync(join(tmpdir(), 'berth-home-'));
    cluster = await startCluster({ nodes: 2, env: { HEARTBEAT_INTERVAL_MS: '500' } });
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('applies the seed example, rolls it out, serves it through the Service, and scales it', async () => {
    const applied = await berth('apply', '-f', 'examples/nginx.yaml');
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('deployment.apps/nginx-deployment created');
    expect(applied.stdout).toContain('service/nginx-service created');

    const rollout = await berth('rollout', 'status', 'deployment/nginx-deployment', '--timeout', '180s');
    expect(rollout.stdout).toContain('successfully rolled out');
    expect(rollout.code).toBe(0);

    const pods = await berth('get', 'pods', '-o', 'json');
    const items = (JSON.parse(pods.stdout) as { items: { status: { phase: string } }[] }).items;
    expect(items.filter((p) => p.status.phase === 'Running')).toHaveLength(3);

    const service = JSON.parse((await berth('get', 'service', 'nginx-service', '-o', 'json')).stdout) as {
      spec: { type: string; ports: { nodePort: number }[] };
    };
    expect(service.spec.type).toBe('LoadBalancer');
    const nodePort = service.spec.ports[0].nodePort;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    // Every node's proxy forwards to all three replicas (the page names the replica that served it).
    const hosts = new Set<string>();
    const deadline = Date.now() + 30_000;
    while (hosts.size < 3 && Date.now() < deadline) {
      for (const address of cluster.nodeAddresses) {
        const response = await fetch(`http://${address}:${nodePort}/`).catch(() => null);
        if (response?.ok) hosts.add((await response.text()).trim());
      }
    }
    expect(hosts.size).toBe(3);

    const scaled = await berth('scale', 'deployment/nginx-deployment', '--replicas', '4');
    expect(scaled.code).toBe(0);
    const again = await berth('rollout', 'status', 'deployment/nginx-deployment', '--timeout', '120s');
    expect(again.code).toBe(0);
    const table = (await berth('get', 'deployments')).stdout;
    expect(table).toMatch(/nginx-deployment\s+4\/4\s+4\s+4/);

    const events = await berth('get', 'events');
    expect(events.code).toBe(0);
    expect(events.stdout).toMatch(/Scheduled|ScalingReplicaSet|Started/);
  });
});
