import { createServer, get, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeServices } from '@berth/contracts';
import { TimerQueue } from '../shared/timer-queue';
import { NodeServiceProxy } from './node-service-proxy';
import { NodeServicesFeed } from './node-services.feed';
import { toProxiedServices } from './proxied-services.mapper';

function set(
  position: number,
  endpoints: { id: string; port: number; draining?: boolean }[],
  nodePort = 30000,
  type: 'NodePort' | 'LoadBalancer' | 'ClusterIP' = 'LoadBalancer',
  clusterPort?: number,
): NodeServices {
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
            ...(type !== 'ClusterIP' ? { nodePort } : {}),
            ...(clusterPort !== undefined ? { clusterPort } : {}),
            endpoints: endpoints.map((e) => ({ id: e.id, node: 'n1', address: '127.0.0.1', port: e.port, ready: true, draining: e.draining ?? false })),
          },
          { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53, nodePort: nodePort + 1, ...(clusterPort !== undefined ? { clusterPort: clusterPort + 1 } : {}), endpoints: [] },
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

  it('adds the cluster port at the cluster address for every type once both are known', () => {
    const addresses = { advertise: '127.0.0.2', loadBalancer: '127.0.0.9', cluster: '172.17.0.1' };
    const [clusterIp, ...udp] = toProxiedServices(set(1, [{ id: 'r1', port: 20001 }], 30000, 'ClusterIP', 10000), addresses);
    expect(udp).toEqual([]);
    expect(clusterIp).toMatchObject({ key: 'default/web:80', listeners: [{ address: '172.17.0.1', port: 10000, protocol: 'TCP' }], endpoints: [expect.objectContaining({ id: 'r1' })] });
    expect(toProxiedServices(set(1, [], 30000, 'LoadBalancer', 10000), addresses)[0].listeners).toEqual([
      { address: '172.17.0.1', port: 10000, protocol: 'TCP' },
      { address: '127.0.0.2', port: 30000, protocol: 'TCP' },
      { address: '127.0.0.9', port: 80, protocol: 'TCP' },
    ]);
    // Cluster address not read yet, or a service recorded before cluster ports: no cluster listener.
    expect(toProxiedServices(set(1, [], 30000, 'ClusterIP', 10000), { advertise: '127.0.0.2', loadBalancer: '127.0.0.2' })).toEqual([]);
    expect(toProxiedServices(set(1, [], 30000, 'ClusterIP'), addresses)).toEqual([]);
  });

  it('waits for a services set as new as a position, asking for one; gives up once when nobody answers', async () => {
    const timers = new TimerQueue(() => undefined);
    let answer: (() => NodeServices) | undefined;
    let requests = 0;
    const nats = {
      request: async () => {
        requests++;
        if (!answer) throw new Error('503 no responders');
        return { data: new TextEncoder().encode(JSON.stringify(answer())) };
      },
    };
    const feed = new NodeServicesFeed(nats as never, () => undefined, { node: 'n1', bootId: 'b', timers, requestTimeoutMs: 1_000, retryMaxMs: 60_000 });
    expect(feed.offer(set(5, []))).toBe(true);
    await expect(feed.atLeast(5, 1_000)).resolves.toBe(true);
    expect(requests).toBe(0);
    answer = () => set(9, []);
    await expect(feed.atLeast(8, 1_000)).resolves.toBe(true);
    expect(requests).toBe(1);
    answer = undefined;
    await expect(feed.atLeast(12, 1_000)).resolves.toBe(false);
    const asked = requests;
    // The same position (a restart of the same container) is not waited for again.
    await expect(feed.atLeast(12, 1_000)).resolves.toBe(false);
    expect(requests).toBe(asked);
    feed.stop();
    timers.close();
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

    it('serves cluster ports at the cluster address once known, retries one held elsewhere, and gives containers their variables', async () => {
      const clusterPort = 10000 + Math.floor(Math.random() * 9000);
      const squatter = createServer();
      await new Promise<void>((resolve) => squatter.listen(clusterPort, '127.0.0.3', resolve));
      const clusterProxy = new NodeServiceProxy({ node: 'n1', addresses: { advertise: '127.0.0.1', loadBalancer: '127.0.0.1' }, drainDelayMs: 0, drainTimeoutMs: 100, listenRetryMs: 100 });
      try {
        await clusterProxy.apply(set(1, [{ id: 'r1', port: upstreamPort }], 30000, 'ClusterIP', clusterPort));
        expect(clusterProxy.environmentFor('default')).toEqual({});
        clusterProxy.setClusterAddress('127.0.0.3');
        expect(clusterProxy.clusterAddress).toBe('127.0.0.3');
        expect(clusterProxy.environmentFor('default')).toMatchObject({ WEB_SERVICE_HOST: '127.0.0.3', WEB_SERVICE_PORT: String(clusterPort), WEB_PORT_80_TCP_PORT: String(clusterPort) });
        expect(clusterProxy.environmentFor('other')).toEqual({});
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(clusterProxy.proxy.listenerStatus()).toEqual([expect.objectContaining({ address: '127.0.0.3', port: clusterPort, state: 'failed' })]);
        // The port frees up (another agent on this host stopped): the retry takes it without a new set.
        await new Promise((resolve) => squatter.close(resolve));
        const deadline = Date.now() + 5_000;
        while (clusterProxy.proxy.listenerStatus()[0]?.state !== 'listening' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        const body = await new Promise<string>((resolve, reject) => {
          get({ host: '127.0.0.3', port: clusterPort, path: '/', agent: false }, (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () => resolve(text));
          }).on('error', reject);
        });
        expect(body).toBe('hello');
      } finally {
        await clusterProxy.close(1_000);
        squatter.close();
      }
    });
  });
});
