import { createServer, get, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeServices } from '@berth/contracts';
import { TimerQueue } from '../shared/timer-queue';
import { NodeServiceProxy } from './node-service-proxy';
import { NodeServicesFeed } from './node-services.feed';
import { toProxiedServices } from './proxied-services.mapper';

function set(position: number, endpoints: { id: string; port: number; draining?: boolean }[], nodePort = 30000, type: 'NodePort' | 'LoadBalancer' | 'ClusterIP' = 'LoadBalancer'): NodeServices {
  return {
    node: 'n1',
    position,
    services: [
      {
        namespace: 'default',
        name: 'web',
        type,
        balancing: 'round-robin',
        ports: [
          {
            protocol: 'TCP',
            appProtocol: 'http',
            port: 80,
            targetPort: 80,
            nodePort,
            endpoints: endpoints.map((e) => ({ id: e.id, node: 'n1', address: '127.0.0.1', port: e.port, ready: true, draining: e.draining ?? false })),
          },
          { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53, nodePort: nodePort + 1, endpoints: [] },
        ],
      },
    ],
  };
}

function fetchText(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    }).on('error', reject);
  });
}

describe('node services (agent side)', () => {
  it('maps NodePort and LoadBalancer TCP ports to listeners; ClusterIP and UDP get none', () => {
    const addresses = { advertise: '127.0.0.2', loadBalancer: '127.0.0.9' };
    const [web] = toProxiedServices(set(1, [{ id: 'r1', port: 20001, draining: true }]), addresses);
    expect(web).toEqual({
      key: 'default/web:80',
      listeners: [
        { address: '127.0.0.2', port: 30000, protocol: 'TCP' },
        { address: '127.0.0.9', port: 80, protocol: 'TCP' },
      ],
      targetPort: 80,
      appProtocol: 'http',
      balancing: 'round-robin',
      endpoints: [{ id: 'r1', address: '127.0.0.1', port: 20001, ready: true, draining: true }],
    });
    expect(toProxiedServices(set(1, [], 30000, 'NodePort'), addresses)[0].listeners).toEqual([{ address: '127.0.0.2', port: 30000, protocol: 'TCP' }]);
    expect(toProxiedServices(set(1, [], 30000, 'ClusterIP'), addresses)).toEqual([]);
  });

  it('ignores sets older than the last one applied', () => {
    const applied: number[] = [];
    const timers = new TimerQueue(() => undefined);
    const feed = new NodeServicesFeed({} as never, (s) => applied.push(s.position), { node: 'n1', bootId: 'b', timers, requestTimeoutMs: 100, retryMaxMs: 100 });
    expect(feed.offer(set(5, []))).toBe(true);
    expect(feed.offer(set(3, []))).toBe(false);
    expect(feed.offer({ ...set(9, []), node: 'n2' })).toBe(false);
    expect(feed.offer(set(5, []))).toBe(true);
    expect(applied).toEqual([5, 5]);
    timers.close();
  });

  describe('with real sockets', () => {
    let upstream: Server;
    let upstreamPort: number;
    let proxy: NodeServiceProxy;
    const nodePort = 31000 + Math.floor(Math.random() * 700);

    beforeAll(async () => {
      upstream = createServer((_req, res) => setTimeout(() => res.end('hello'), 150));
      await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
      upstreamPort = (upstream.address() as AddressInfo).port;
      proxy = new NodeServiceProxy({ node: 'n1', addresses: { advertise: '127.0.0.1', loadBalancer: '127.0.0.1' }, drainDelayMs: 50, drainTimeoutMs: 2_000 });
    });

    afterAll(async () => {
      await proxy.close(1_000);
      await new Promise((resolve) => upstream.close(resolve));
    });

    it('forwards through the nodePort and drains an endpoint before it stops', async () => {
      await proxy.apply(set(1, [{ id: 'r1', port: upstreamPort }], nodePort, 'NodePort'));
      expect(await fetchText(nodePort)).toBe('200 hello');
      expect(proxy.isEndpoint('r1')).toBe(true);
      expect(proxy.isEndpoint('other')).toBe(false);
      const inFlight = fetchText(nodePort);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const began = Date.now();
      await proxy.beforeTerminate('r1');
      // It waited the drain delay and for the in-flight request, which succeeded.
      expect(Date.now() - began).toBeGreaterThanOrEqual(50);
      await expect(inFlight).resolves.toBe('200 hello');
      // Draining: no new request reaches it.
      expect(await fetchText(nodePort)).toMatch(/^503/);
      const unknown = Date.now();
      await proxy.beforeTerminate('not-an-endpoint');
      expect(Date.now() - unknown).toBeLessThan(40);
    });
  });
});
