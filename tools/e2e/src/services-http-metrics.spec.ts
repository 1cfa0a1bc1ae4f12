import { execFile, execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect } from 'nats';
import { metricsAnswerSchema, Subjects } from '@berth/contracts';
import { startCluster, TestCluster, WORKSPACE_ROOT } from '@berth/testing';

const run = promisify(execFile);
jest.setTimeout(300_000);

/**
 * examples/http-service.yaml (appProtocol: http) through the real CLI, gateway, scheduler and
 * node-agent: requests through the nodePort are counted by the proxy and answered by the monitor.
 */
describe('HTTP-aware service metrics reach the monitor', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    execFileSync('bash', [join(WORKSPACE_ROOT, 'tools/images/build-images.sh'), '--quiet']);
    cluster = await startCluster({ nodes: 1, services: ['api-gateway', 'scheduler', 'monitor'], env: { STATS_INTERVAL_MS: '1000' } });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('counts requests and 5xx per service and answers berth.metrics.query', async () => {
    const cli = (...args: string[]) =>
      run(process.execPath, [join(WORKSPACE_ROOT, 'tools/bin/berth.js'), ...args, '--server', cluster.gatewayUrl], {
        cwd: WORKSPACE_ROOT,
        env: { ...process.env, HOME: tmpdir(), BERTH_CONFIG: join(tmpdir(), `berth-${cluster.id}.yaml`), BERTH_CLI_FROM_SOURCE: '1' },
      });
    await cli('apply', '-f', 'examples/http-service.yaml');
    await cli('rollout', 'status', 'deployment/api', '--timeout', '120s');

    // 40 good requests and 10 for a page that does not exist (busybox answers 404: not an error).
    const base = `http://${cluster.nodeAddresses[0]}:30080`;
    let ok = 0;
    const deadline = Date.now() + 30_000;
    while (ok < 40 && Date.now() < deadline) {
      const response = await fetch(`${base}/`).catch(() => null);
      if (response?.ok) ok++;
      else await new Promise((r) => setTimeout(r, 200));
    }
    expect(ok).toBe(40);
    for (let i = 0; i < 10; i++) await fetch(`${base}/missing`);

    const nc = await connect({ servers: cluster.nats.url });
    try {
      let requests = 0;
      const until = Date.now() + 30_000;
      while (requests < 50 && Date.now() < until) {
        const reply = await nc.request(Subjects.metricsQuery, JSON.stringify({ kind: 'service', names: ['default/api'], windowSeconds: 120 }), { timeout: 2_000 });
        const answer = metricsAnswerSchema.parse(reply.json());
        const item = answer.items.find((i) => i.name === 'default/api');
        requests = Math.round((item?.requestsPerSecond ?? 0) * 120);
        if (requests < 50) await new Promise((r) => setTimeout(r, 500));
        else {
          expect(item?.errorRate).toBe(0);
          expect(item?.latencyMs).toBeGreaterThanOrEqual(0);
        }
      }
      expect(requests).toBe(50);
    } finally {
      await nc.close();
    }
  });
});
