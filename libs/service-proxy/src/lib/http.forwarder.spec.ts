import { Agent, createServer, request, Server } from 'http';
import { AddressInfo, Socket } from 'net';
import { Registry } from 'prom-client';
import { Backend, endpointOf, freePort, httpRequest, serviceOf, sleep, startBackend, waitFor } from './proxy-test.fixture';
import { ProxiedEndpoint, ProxiedService } from './proxy.types';
import { ServiceProxy } from './service.proxy';

describe('ServiceProxy (HTTP mode)', () => {
  let a: Backend;
  let b: Backend;
  let proxy: ServiceProxy;
  let port: number;
  const cleanup: Array<() => unknown> = [];

  const web = (endpoints: ProxiedEndpoint[], overrides: Partial<ProxiedService> = {}): ProxiedService =>
    serviceOf('default/web', port, endpoints, { appProtocol: 'http', ...overrides });

  const keepAlive = (): Agent => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanup.push(() => agent.destroy());
    return agent;
  };

  beforeEach(async () => {
    [a, b] = await Promise.all([startBackend('a', '127.0.0.2'), startBackend('b', '127.0.0.3')]);
    proxy = new ServiceProxy({ connectTimeoutMs: 500 });
    port = await freePort();
  });

  afterEach(async () => {
    for (const fn of cleanup.splice(0)) await fn();
    await proxy.close(1000);
    await Promise.all([a.close(), b.close()]);
  });

  it('records request count, status codes, 5xx and latency per service over keep-alive connections', async () => {
    await proxy.applyServices([web([endpointOf(a)])]);
    const agent = keepAlive();
    const paths = [...Array(10).fill('/'), ...Array(3).fill('/status/503'), ...Array(2).fill('/status/404'), ...Array(5).fill('/slow?ms=80')];
    const statuses: number[] = [];
    for (const path of paths) statuses.push((await httpRequest(port, path, { agent })).status);
    expect(statuses.filter((s) => s === 503)).toHaveLength(3);

    const snap = proxy.serviceSnapshot('default/web');
    expect(snap?.mode).toBe('http');
    expect(snap?.http.requests).toBe(20);
    expect(snap?.http.statusCodes).toEqual({ '200': 15, '404': 2, '503': 3 });
    expect(snap?.http.errors5xx).toBe(3);
    expect(snap?.http.p95Ms).toBeGreaterThanOrEqual(70);
    expect(snap?.http.p50Ms).toBeLessThan(70);
    const buckets = snap?.http.latencyBuckets ?? [];
    expect(buckets[buckets.length - 1]).toEqual({ leMs: Infinity, count: 20 });
    expect(buckets.find((x) => x.leMs === 50)?.count).toBe(15);
    expect(snap?.window.requests).toBe(20);
    expect(snap?.window.errorRate).toBeCloseTo(3 / 20);
    expect(snap?.window.rps).toBeGreaterThan(0);
    expect(snap?.window.p99Ms).toBeGreaterThanOrEqual(70);
    // One client connection kept alive, one pooled upstream connection.
    expect(snap?.connections.total).toBe(1);
    expect(a.connections).toBe(1);
  });

  it('answers 503 when no endpoint is ready and counts it as a 5xx', async () => {
    await proxy.applyServices([web([endpointOf(a, { ready: false })])]);
    const reply = await httpRequest(port);
    expect(reply.status).toBe(503);
    const snap = proxy.serviceSnapshot('default/web');
    expect(snap?.http.statusCodes).toEqual({ '503': 1 });
    expect(snap?.connections.rejectedNoEndpoint).toBe(1);
    expect(a.hits).toBe(0);
  });

  it('retries requests whose connect failed on another endpoint, bodies included', async () => {
    const dead = { id: 'dead', address: '127.0.0.1', port: await freePort(), ready: true };
    await proxy.applyServices([web([dead, endpointOf(a)])]);
    const agent = keepAlive();
    for (let i = 0; i < 6; i++) {
      const reply = await httpRequest(port, '/', { agent });
      expect(reply).toMatchObject({ status: 200, body: 'a' });
    }
    const post = await httpRequest(port, '/echo', { agent, method: 'POST', body: 'payload' });
    expect(post).toMatchObject({ status: 200, body: 'a:payload' });
    const snap = proxy.serviceSnapshot('default/web');
    expect(snap?.http.retries).toBeGreaterThanOrEqual(3);
    expect(snap?.connections.failedConnects).toBe(snap?.http.retries);
    expect(snap?.http.errors5xx).toBe(0);
  });

  it('retries an idempotent request when a pooled connection turns out closed, but not a POST', async () => {
    // Answers the first request of each connection with keep-alive, then kills the connection on the next one.
    const flaky: Server = createServer((req, res) => {
      const socket = req.socket as Socket & { served?: number };
      socket.served = (socket.served ?? 0) + 1;
      if (socket.served > 1) {
        socket.destroy();
        return;
      }
      req.resume();
      res.end('flaky');
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => flaky.close());
    const flakyEndpoint = { id: 'flaky', address: '127.0.0.1', port: (flaky.address() as AddressInfo).port, ready: true };
    await proxy.applyServices([web([flakyEndpoint, endpointOf(a)])]);
    // Every second pick of flaky reuses its pooled connection, which it then kills.
    const bodies: string[] = [];
    for (let i = 0; i < 6; i++) {
      const reply = await httpRequest(port);
      expect(reply.status).toBe(200);
      bodies.push(reply.body);
    }
    expect(bodies).toEqual(['flaky', 'a', 'a', 'flaky', 'a', 'a']);
    expect(proxy.serviceSnapshot('default/web')?.http.retries).toBe(2);

    // A POST over a stale pooled connection must not be replayed: 502.
    await proxy.applyServices([web([flakyEndpoint])]);
    expect((await httpRequest(port)).body).toBe('flaky');
    expect((await httpRequest(port, '/echo', { method: 'POST', body: 'x' })).status).toBe(502);
    expect(proxy.serviceSnapshot('default/web')?.http.retries).toBe(2);
  });

  it('breaks the client response when the upstream dies mid-body, and frees the endpoint', async () => {
    const dying: Server = createServer((req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => req.socket.destroy(), 30);
    });
    await new Promise<void>((resolve) => dying.listen(0, '127.0.0.2', resolve));
    cleanup.push(() => dying.close());
    await proxy.applyServices([web([{ id: 'dying', address: '127.0.0.2', port: (dying.address() as AddressInfo).port, ready: true }])]);
    await expect(httpRequest(port)).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
    await waitFor(() => proxy.serviceSnapshot('default/web')?.endpoints[0].active === 0);
  });

  it('least-connections counts in-flight requests, so a busy endpoint is skipped', async () => {
    await proxy.applyServices([web([endpointOf(a), endpointOf(b, { ready: false })], { balancing: 'least-connections' })]);
    const held = [httpRequest(port, '/slow?ms=600'), httpRequest(port, '/slow?ms=600')];
    await waitFor(() => a.hits === 2);
    await proxy.applyServices([web([endpointOf(a), endpointOf(b)], { balancing: 'least-connections' })]);
    const agent = keepAlive();
    const bodies: string[] = [];
    for (let i = 0; i < 6; i++) bodies.push((await httpRequest(port, '/', { agent })).body);
    expect(bodies).toEqual(Array(6).fill('b'));
    expect((await Promise.all(held)).map((r) => r.body)).toEqual(['a', 'a']);
  });

  it('swaps endpoints under steady keep-alive traffic without a failed request; drains finish per request', async () => {
    const [c, d] = await Promise.all([startBackend('c', '127.0.0.2'), startBackend('d', '127.0.0.3')]);
    cleanup.push(() => c.close(), () => d.close());
    await proxy.applyServices([web([endpointOf(a), endpointOf(b)])]);
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    cleanup.push(() => agent.destroy());
    let stop = false;
    const failures: string[] = [];
    const served: Array<{ startedAt: number; body: string }> = [];
    const worker = async (): Promise<void> => {
      while (!stop) {
        const startedAt = Date.now();
        try {
          const r = await httpRequest(port, '/slow?ms=15', { agent });
          if (r.status !== 200) failures.push(`status ${r.status}`);
          else served.push({ startedAt, body: r.body });
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const workers = Array.from({ length: 4 }, () => worker());
    await sleep(250);
    await proxy.applyServices([web([endpointOf(a), endpointOf(b), endpointOf(c), endpointOf(d)])]);
    const drains = await Promise.all([proxy.drainEndpoint('a', 3000), proxy.drainEndpoint('b', 3000)]);
    // Client connections stay open throughout, yet each drain only waits for in-flight requests.
    expect(drains.every((r) => r.drained && r.waitedMs < 500)).toBe(true);
    const drainedAt = Date.now();
    await proxy.applyServices([web([endpointOf(c), endpointOf(d)])]);
    await Promise.all([a.close(), b.close()]);
    await sleep(250);
    stop = true;
    await Promise.all(workers);
    expect(failures).toEqual([]);
    const after = served.filter((x) => x.startedAt >= drainedAt).map((x) => x.body);
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after)).toEqual(new Set(['c', 'd']));
    expect(served.some((x) => x.body === 'a')).toBe(true);
    expect(proxy.serviceSnapshot('default/web')?.connections.total).toBeLessThanOrEqual(4);
  });

  it('strips hop-by-hop headers and adds X-Forwarded-For', async () => {
    await proxy.applyServices([web([endpointOf(a)])]);
    const reply = await httpRequest(port, '/headers', {
      headers: { connection: 'keep-alive, x-secret', 'x-secret': '1', 'keep-alive': 'timeout=5', 'x-ok': 'yes', 'proxy-authorization': 'Basic eA==' },
    });
    const seen = JSON.parse(reply.body) as Record<string, string>;
    expect(seen['x-ok']).toBe('yes');
    expect(seen['x-secret']).toBeUndefined();
    expect(seen['keep-alive']).toBeUndefined();
    expect(seen['proxy-authorization']).toBeUndefined();
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['host']).toBe(`127.0.0.1:${port}`);
    expect(reply.headers['x-backend']).toBe('a');
  });

  it('switches a service between L4 and HTTP mode without rebinding its port', async () => {
    await proxy.applyServices([web([endpointOf(a)], { appProtocol: undefined })]);
    expect((await httpRequest(port)).body).toBe('a');
    expect(proxy.serviceSnapshot('default/web')?.http.requests).toBe(0);
    const switched = await proxy.applyServices([web([endpointOf(a)])]);
    expect(switched.opened).toEqual([]);
    expect((await httpRequest(port)).body).toBe('a');
    expect(proxy.serviceSnapshot('default/web')?.http.requests).toBe(1);
  });

  it('tunnels an Upgrade request (WebSocket-style) to the endpoint', async () => {
    const upgrading: Server = createServer();
    upgrading.on('upgrade', (req, socket: Socket) => {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: echo\r\nconnection: Upgrade\r\nx-path: ${req.url}\r\n\r\n`);
      socket.on('data', (d: Buffer) => socket.write(`echo:${d.toString()}`));
    });
    await new Promise<void>((resolve) => upgrading.listen(0, '127.0.0.2', resolve));
    cleanup.push(() => {
      upgrading.closeAllConnections();
      upgrading.close();
    });
    await proxy.applyServices([web([{ id: 'ws', address: '127.0.0.2', port: (upgrading.address() as AddressInfo).port, ready: true }])]);
    const reply = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/chat', headers: { connection: 'Upgrade', upgrade: 'echo' } });
      req.on('upgrade', (res, socket: Socket) => {
        expect(res.headers['x-path']).toBe('/chat');
        socket.once('data', (d: Buffer) => {
          socket.destroy();
          resolve(d.toString());
        });
        socket.write('ping');
      });
      req.on('error', reject);
      req.end();
    });
    expect(reply).toBe('echo:ping');
  });

  it('feeds a prom-client histogram and per-code counters', async () => {
    const registry = new Registry();
    proxy.registerMetrics(registry);
    await proxy.applyServices([web([endpointOf(a)])]);
    await httpRequest(port);
    await httpRequest(port, '/status/500');
    const text = await registry.metrics();
    expect(text).toContain('berth_proxy_http_request_duration_seconds_count{service="default/web"} 2');
    expect(text).toContain('berth_proxy_http_requests_total{service="default/web",code="200"} 1');
    expect(text).toContain('berth_proxy_http_requests_total{service="default/web",code="500"} 1');
  });
});
