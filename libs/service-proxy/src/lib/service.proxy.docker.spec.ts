import { execFile, execFileSync } from 'child_process';
import { randomUUID } from 'crypto';
import { resolve } from 'path';
import { promisify } from 'util';
import { freePort, httpRequest, sleep } from './proxy-test.fixture';
import { ProxiedEndpoint } from './proxy.types';
import { ServiceProxy } from './service.proxy';

const run = promisify(execFile);
const BUILD_IMAGES = resolve(__dirname, '../../../../tools/images/build-images.sh');
const RUN = `proxy-test-${randomUUID().slice(0, 8)}`;
const containers: string[] = [];
const endpoints: ProxiedEndpoint[] = [];

async function answers(port: number): Promise<boolean> {
  try {
    return (await httpRequest(port, '/', { timeoutMs: 1000 })).status === 200;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  execFileSync('bash', [BUILD_IMAGES, '--quiet'], { stdio: 'inherit', timeout: 120_000 });
  for (const hostname of ['r1', 'r2', 'r3']) {
    const { stdout } = await run('docker', ['run', '-d', '--rm', '-p', '127.0.0.1::80', '--hostname', hostname, '--label', `berth.test-run=${RUN}`, 'berth/http:test']);
    const id = stdout.trim();
    containers.push(id);
    const { stdout: mapping } = await run('docker', ['port', id, '80/tcp']);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(mapping)?.[1]);
    endpoints.push({ id: hostname, address: '127.0.0.1', port, ready: true });
  }
  for (const e of endpoints) {
    const deadline = Date.now() + 10_000;
    while (!(await answers(e.port))) {
      if (Date.now() > deadline) throw new Error(`container ${e.id} does not answer on 127.0.0.1:${e.port}`);
      await sleep(100);
    }
  }
}, 150_000);

afterAll(async () => {
  if (containers.length > 0) await run('docker', ['rm', '-f', ...containers]).catch(() => undefined);
});

describe('ServiceProxy against real containers (berth/http:test)', () => {
  it.each([
    ['L4', undefined],
    ['HTTP', 'http' as const],
  ])('%s mode: all three replicas answer through the proxy', async (_mode, appProtocol) => {
    const proxy = new ServiceProxy();
    try {
      const port = await freePort();
      const result = await proxy.applyServices([
        { key: 'default/nginx', listeners: [{ address: '127.0.0.1', port, protocol: 'TCP' }], targetPort: 80, appProtocol, endpoints },
      ]);
      expect(result.errors).toEqual([]);
      const hostnames: string[] = [];
      for (let i = 0; i < 30; i++) {
        const reply = await httpRequest(port);
        expect(reply.status).toBe(200);
        hostnames.push(reply.body.trim());
      }
      const counts = hostnames.reduce<Record<string, number>>((acc, h) => ({ ...acc, [h]: (acc[h] ?? 0) + 1 }), {});
      expect(counts).toEqual({ r1: 10, r2: 10, r3: 10 });
      const snap = proxy.serviceSnapshot('default/nginx');
      expect(snap?.connections.failedConnects).toBe(0);
      if (appProtocol === 'http') expect(snap?.http.statusCodes).toEqual({ '200': 30 });
    } finally {
      await proxy.close(2000);
    }
  });

  it('a stopped container is routed around while it is still listed as ready', async () => {
    const proxy = new ServiceProxy({ connectTimeoutMs: 500 });
    try {
      const port = await freePort();
      // r3's published port, once the container is gone, refuses connections.
      await run('docker', ['rm', '-f', containers[2]]);
      await proxy.applyServices([{ key: 'default/nginx', listeners: [{ address: '127.0.0.1', port, protocol: 'TCP' }], targetPort: 80, endpoints }]);
      const hostnames = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const reply = await httpRequest(port);
        expect(reply.status).toBe(200);
        hostnames.add(reply.body.trim());
      }
      expect(hostnames).toEqual(new Set(['r1', 'r2']));
      expect(proxy.serviceSnapshot('default/nginx')?.connections.failedConnects).toBeGreaterThan(0);
    } finally {
      await proxy.close(2000);
    }
  });
});
