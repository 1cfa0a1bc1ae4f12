import { spawn } from 'child_process';
import { Agent } from 'http';
import { createServer as createNetServer } from 'net';
import { Registry } from 'prom-client';
import { DuplicateListener, InvalidProxiedService, PortInUse, ProxyClosed } from './proxy.errors';
import {
  Backend,
  closedWithin,
  endpointOf,
  freePort,
  httpRequest,
  rawConnect,
  serviceOf,
  sleep,
  startBackend,
  waitFor,
} from './proxy-test.fixture';
import { ProxiedService } from './proxy.types';
import { ServiceProxy } from './service.proxy';

const HANGING_LISTENER = [
  'import socket, time',
  's = socket.socket()',
  "s.bind(('127.0.0.3', 0))",
  's.listen(0)',
  'print(s.getsockname()[1], flush=True)',
  'time.sleep(60)',
].join('\n');

describe('ServiceProxy (L4 TCP)', () => {
  let a: Backend;
  let b: Backend;
  let c: Backend;
  let proxy: ServiceProxy;
  const extra: Array<{ close(): unknown }> = [];

  beforeEach(async () => {
    [a, b, c] = await Promise.all([startBackend('a', '127.0.0.1'), startBackend('b', '127.0.0.2'), startBackend('c', '127.0.0.3')]);
    proxy = new ServiceProxy({ connectTimeoutMs: 500 });
  });

  afterEach(async () => {
    for (const x of extra.splice(0)) await x.close();
    await proxy.close(1000);
    await Promise.all([a, b, c].map((x) => x.close()));
  });

  const countBodies = (bodies: string[]): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const body of bodies) counts[body] = (counts[body] ?? 0) + 1;
    return counts;
  };

  async function sequential(port: number, n: number, path = '/'): Promise<string[]> {
    const bodies: string[] = [];
    for (let i = 0; i < n; i++) bodies.push((await httpRequest(port, path)).body);
    return bodies;
  }

  it('spreads new connections round robin over every ready endpoint', async () => {
    const port = await freePort();
    const result = await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a), endpointOf(b), endpointOf(c)])]);
    expect(result.errors).toEqual([]);
    expect(result.opened).toHaveLength(1);

    expect(countBodies(await sequential(port, 30))).toEqual({ a: 10, b: 10, c: 10 });
    const snap = proxy.serviceSnapshot('default/web');
    expect(snap?.connections.total).toBe(30);
    expect(snap?.connections.failedConnects).toBe(0);
    await waitFor(() => proxy.serviceSnapshot('default/web')?.connections.active === 0);
    const after = proxy.serviceSnapshot('default/web');
    expect(after?.connections.bytesIn).toBeGreaterThan(30 * 30);
    expect(after?.connections.bytesOut).toBeGreaterThan(30 * 60);
    expect(after?.endpoints.map((e) => [e.id, e.total])).toEqual([
      ['a', 10],
      ['b', 10],
      ['c', 10],
    ]);
    expect(after?.window.connections).toBe(30);
  });

  it('sends nothing to a not-ready endpoint, and takes one out the moment it turns not ready', async () => {
    const port = await freePort();
    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a), endpointOf(b, { ready: false }), endpointOf(c)])]);
    expect(countBodies(await sequential(port, 20))).toEqual({ a: 10, c: 10 });
    expect(b.hits).toBe(0);

    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a), endpointOf(b, { ready: true }), endpointOf(c, { ready: false })])]);
    expect(countBodies(await sequential(port, 20))).toEqual({ a: 10, b: 10 });
    expect(c.hits).toBe(10);
  });

  it('retries a refused connection on another endpoint before the client sees anything', async () => {
    const port = await freePort();
    const deadPort = await freePort('127.0.0.2');
    const dead = { id: 'dead', address: '127.0.0.2', port: deadPort, ready: true };
    await proxy.applyServices([serviceOf('default/web', port, [dead, endpointOf(a), endpointOf(c)])]);
    const replies = await Promise.all(Array.from({ length: 12 }, () => httpRequest(port)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(new Set(replies.map((r) => r.body))).toEqual(new Set(['a', 'c']));
    const snap = proxy.serviceSnapshot('default/web');
    const deadFailures = snap?.endpoints.find((e) => e.id === 'dead')?.failedConnects ?? 0;
    expect(deadFailures).toBeGreaterThanOrEqual(3);
    expect(snap?.connections.failedConnects).toBe(deadFailures);
    expect(snap?.connections.retries).toBe(deadFailures);
    expect(snap?.connections.failedAllAttempts).toBe(0);
  });

  it('times out a connect that hangs and retries elsewhere', async () => {
    // A listener that never accepts, its one-slot accept queue filled: further SYNs go unanswered, so connect() hangs.
    const child = spawn('python3', ['-c', HANGING_LISTENER]);
    extra.push({ close: () => child.kill() });
    const stuckPort = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    const filler = await rawConnect(stuckPort, '127.0.0.3');
    extra.push({ close: () => filler.destroy() });

    const fast = new ServiceProxy({ connectTimeoutMs: 150 });
    extra.push({ close: () => fast.close(500) });
    const port = await freePort();
    await fast.applyServices([serviceOf('default/web', port, [{ id: 'stuck', address: '127.0.0.3', port: stuckPort, ready: true }, endpointOf(a)])]);
    const started = Date.now();
    const replies = await Promise.all([httpRequest(port), httpRequest(port)]);
    const elapsed = Date.now() - started;
    expect(replies.map((r) => r.body)).toEqual(['a', 'a']);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1000);
    expect(fast.serviceSnapshot('default/web')?.endpoints.find((e) => e.id === 'stuck')?.failedConnects).toBe(1);
  });

  it('closes the client connection at once when no endpoint is ready, and counts it', async () => {
    const port = await freePort();
    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a, { ready: false })])]);
    const started = Date.now();
    const socket = await rawConnect(port);
    expect(await closedWithin(socket, 1000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(200);
    await expect(httpRequest(port)).rejects.toThrow();
    expect(proxy.serviceSnapshot('default/web')?.connections.rejectedNoEndpoint).toBe(2);
    expect(a.hits).toBe(0);
  });

  it('gives up after maxConnectAttempts and closes the client', async () => {
    const port = await freePort();
    const dead = await Promise.all([freePort('127.0.0.1'), freePort('127.0.0.2'), freePort('127.0.0.3'), freePort('127.0.0.1')]);
    await proxy.applyServices([serviceOf('default/web', port, dead.map((p, i) => ({ id: `d${i}`, address: `127.0.0.${(i % 3) + 1}`, port: p, ready: true })))]);
    await expect(httpRequest(port)).rejects.toThrow();
    const snap = proxy.serviceSnapshot('default/web');
    expect(snap?.connections.failedConnects).toBe(3);
    expect(snap?.connections.failedAllAttempts).toBe(1);
  });

  it('least-connections prefers the idle endpoint while another holds long connections', async () => {
    const port = await freePort();
    // Two long requests land on a while b is not ready yet.
    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a), endpointOf(b, { ready: false })], { balancing: 'least-connections' })]);
    const long = [httpRequest(port, '/slow?ms=700'), httpRequest(port, '/slow?ms=700')];
    await waitFor(() => a.hits === 2);
    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a), endpointOf(b)], { balancing: 'least-connections' })]);
    expect(countBodies(await sequential(port, 8))).toEqual({ b: 8 });
    expect((await Promise.all(long)).map((r) => r.body)).toEqual(['a', 'a']);

    // With nothing held, ties rotate: both endpoints get traffic again.
    await waitFor(() => proxy.serviceSnapshot('default/web')?.connections.active === 0);
    const spread = countBodies(await sequential(port, 8));
    expect(spread['a']).toBeGreaterThan(0);
    expect(spread['b']).toBeGreaterThan(0);
  });

  it('round robin (the default) would have ignored the held connections', async () => {
    const port = await freePort();
    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a), endpointOf(b, { ready: false })])]);
    const long = [httpRequest(port, '/slow?ms=500'), httpRequest(port, '/slow?ms=500')];
    await waitFor(() => a.hits === 2);
    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a), endpointOf(b)])]);
    expect(countBodies(await sequential(port, 8))).toEqual({ a: 4, b: 4 });
    await Promise.all(long);
  });

  it('passes a half-close through: the client ends its side and still reads the reply', async () => {
    const upstream = createNetServer({ allowHalfOpen: true }, (socket) => {
      let data = '';
      socket.on('data', (d: Buffer) => (data += d.toString()));
      socket.on('end', () => setTimeout(() => socket.end(`got:${data}`), 50));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.2', resolve));
    extra.push(upstream);
    const port = await freePort();
    await proxy.applyServices([serviceOf('default/echo', port, [{ id: 'e', address: '127.0.0.2', port: (upstream.address() as { port: number }).port, ready: true }])]);
    const socket = await rawConnect(port);
    let reply = '';
    socket.on('data', (d: Buffer) => (reply += d.toString()));
    socket.write('hello ');
    socket.end('world');
    expect(await closedWithin(socket, 2000)).toBe(true);
    expect(reply).toBe('got:hello world');
    await waitFor(() => proxy.serviceSnapshot('default/echo')?.endpoints[0].active === 0);
  });

  it('keeps established connections when endpoints change, and does not reopen the listener', async () => {
    const port = await freePort();
    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a)])]);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    extra.push({ close: () => agent.destroy() });
    expect((await httpRequest(port, '/', { agent })).body).toBe('a');

    const changed = await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a, { ready: false }), endpointOf(b)])]);
    expect(changed.opened).toEqual([]);
    expect(changed.closed).toEqual([]);
    // The kept-alive connection still reaches a; new connections go to b.
    expect((await httpRequest(port, '/', { agent })).body).toBe('a');
    expect((await httpRequest(port)).body).toBe('b');

    // Even removing a from the service leaves the open connection alone.
    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(b), endpointOf(c)])]);
    expect((await httpRequest(port, '/', { agent })).body).toBe('a');
    expect(a.connections).toBe(1);
    const snap = proxy.serviceSnapshot('default/web');
    expect(snap?.endpoints.map((e) => e.id)).toEqual(['b', 'c']);
  });

  it('drainEndpoint resolves only when the endpoint has no connections left', async () => {
    const port = await freePort();
    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a), endpointOf(b)])]);
    const long = httpRequest(port, '/slow?ms=400');
    await waitFor(() => a.hits === 1);
    let drained = false;
    const drain = proxy.drainEndpoint('a', 5000).then((r) => {
      drained = true;
      return r;
    });
    // New connections avoid a at once.
    expect(countBodies(await sequential(port, 4))).toEqual({ b: 4 });
    expect(drained).toBe(false);
    expect((await long).body).toBe('a');
    const result = await drain;
    expect(result).toMatchObject({ id: 'a', drained: true, remaining: 0 });
    expect(result.waitedMs).toBeGreaterThanOrEqual(200);
    // The mark sticks across an apply that still lists a as ready.
    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a), endpointOf(b)])]);
    expect(countBodies(await sequential(port, 4))).toEqual({ b: 4 });
    expect(proxy.serviceSnapshot('default/web')?.endpoints.find((e) => e.id === 'a')?.draining).toBe(true);
  });

  it('drainEndpoint reports what is left at the timeout', async () => {
    const port = await freePort();
    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a)])]);
    const held = await rawConnect(port);
    await waitFor(() => proxy.serviceSnapshot('default/web')?.endpoints[0].active === 1);
    const result = await proxy.drainEndpoint('a', 150);
    expect(result).toMatchObject({ id: 'a', drained: false, remaining: 1 });
    held.destroy();
    expect(await proxy.drainEndpoint('unknown', 100)).toMatchObject({ drained: true, remaining: 0 });
  });

  it('swaps endpoints under a steady request stream without a single failed request', async () => {
    const port = await freePort();
    const [d, e] = await Promise.all([startBackend('d', '127.0.0.2'), startBackend('e', '127.0.0.3')]);
    extra.push(d, e);
    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a), endpointOf(b)])]);

    let stop = false;
    const failures: string[] = [];
    const served: Array<{ startedAt: number; body: string }> = [];
    const worker = async (): Promise<void> => {
      while (!stop) {
        const startedAt = Date.now();
        try {
          const r = await httpRequest(port, '/slow?ms=20');
          if (r.status !== 200) failures.push(`status ${r.status}`);
          else served.push({ startedAt, body: r.body });
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const workers = Array.from({ length: 6 }, () => worker());
    await sleep(300);
    // Rolling update: new replicas join, old ones drain, then leave and stop.
    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a), endpointOf(b), endpointOf(d), endpointOf(e)])]);
    const drains = await Promise.all([proxy.drainEndpoint('a', 5000), proxy.drainEndpoint('b', 5000)]);
    expect(drains.every((r) => r.drained)).toBe(true);
    const drainedAt = Date.now();
    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(d), endpointOf(e)])]);
    await Promise.all([a.close(), b.close()]);
    await sleep(300);
    stop = true;
    await Promise.all(workers);

    expect(failures).toEqual([]);
    expect(countBodies(served.map((x) => x.body))['a']).toBeGreaterThan(0);
    const after = served.filter((x) => x.startedAt >= drainedAt).map((x) => x.body);
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after)).toEqual(new Set(['d', 'e']));
  });

  it('reports a port in use as a typed error for that listener while the others work', async () => {
    const occupant = createNetServer();
    const busyPort = await freePort();
    await new Promise<void>((resolve) => occupant.listen(busyPort, '127.0.0.1', resolve));
    const okPort = await freePort();
    const otherPort = await freePort();
    const services: ProxiedService[] = [
      {
        ...serviceOf('default/web', okPort, [endpointOf(a)]),
        listeners: [
          { address: '127.0.0.1', port: okPort, protocol: 'TCP' },
          { address: '127.0.0.1', port: busyPort, protocol: 'TCP' },
        ],
      },
      serviceOf('default/api', otherPort, [endpointOf(b)]),
      serviceOf('default/clash', okPort, [endpointOf(c)]),
    ];
    const result = await proxy.applyServices(services);
    expect(result.errors).toHaveLength(2);
    const inUse = result.errors.find((e) => e instanceof PortInUse) as PortInUse;
    expect(inUse).toBeInstanceOf(PortInUse);
    expect(inUse).toMatchObject({ service: 'default/web', address: '127.0.0.1', port: busyPort, code: 'EADDRINUSE' });
    const dup = result.errors.find((e) => e instanceof DuplicateListener) as DuplicateListener;
    expect(dup).toMatchObject({ service: 'default/clash', heldBy: 'default/web', port: okPort });
    expect((await httpRequest(okPort)).body).toBe('a');
    expect((await httpRequest(otherPort)).body).toBe('b');
    expect(proxy.listenerStatus().filter((l) => l.state === 'failed')).toHaveLength(2);

    // Level-triggered: the next apply retries the failed listener once the port is free.
    await new Promise<void>((resolve) => occupant.close(() => resolve()));
    const retried = await proxy.applyServices(services.slice(0, 2));
    expect(retried.errors).toEqual([]);
    expect(retried.opened).toEqual([{ service: 'default/web', address: '127.0.0.1', port: busyPort, state: 'listening' }]);
    expect((await httpRequest(busyPort)).body).toBe('a');
  });

  it('closes removed listeners, moves a port to another address, and forgets removed services', async () => {
    const port = await freePort();
    const port2 = await freePort();
    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a)]), serviceOf('default/api', port2, [endpointOf(b)])]);
    const moved = await proxy.applyServices([
      { ...serviceOf('default/web', port, [endpointOf(a)]), listeners: [{ address: '127.0.0.2', port, protocol: 'TCP' }] },
    ]);
    expect(moved.errors).toEqual([]);
    expect(moved.closed.map((l) => `${l.address}:${l.port}`).sort()).toEqual([`127.0.0.1:${port}`, `127.0.0.1:${port2}`].sort());
    expect((await httpRequest(port, '/', { host: '127.0.0.2' })).body).toBe('a');
    await expect(httpRequest(port)).rejects.toThrow(/ECONNREFUSED/);
    await expect(httpRequest(port2)).rejects.toThrow(/ECONNREFUSED/);
    expect(proxy.metricsSnapshot().map((s) => s.service)).toEqual(['default/web']);
  });

  it('rejects a malformed service list before changing anything', async () => {
    const port = await freePort();
    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a)])]);
    const bad = [
      serviceOf('default/web', 70000, [endpointOf(a), endpointOf(a)]),
      { ...serviceOf('default/x', port, []), appProtocol: 'grpc' as unknown as 'http' },
    ];
    const error = await proxy.applyServices(bad).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(InvalidProxiedService);
    expect((error as InvalidProxiedService).problems).toEqual([
      'services[0].listeners[0].port: Invalid port 70000',
      'services[0].endpoints[1].id: Duplicate value "a"',
      'services[1].appProtocol: Unsupported value "grpc"',
    ]);
    expect((await httpRequest(port)).body).toBe('a');
  });

  it('close() stops accepting, lets open connections finish, and cuts them at the timeout', async () => {
    const port = await freePort();
    await proxy.applyServices([serviceOf('default/web', port, [endpointOf(a)])]);
    const inFlight = httpRequest(port, '/slow?ms=200');
    await waitFor(() => a.hits === 1);
    const closing = proxy.close(2000);
    await expect(httpRequest(port)).rejects.toThrow(/ECONNREFUSED/);
    expect((await inFlight).body).toBe('a');
    expect(await closing).toEqual({ graceful: true, destroyed: 0 });
    await expect(proxy.applyServices([])).rejects.toBeInstanceOf(ProxyClosed);

    const second = new ServiceProxy();
    await second.applyServices([serviceOf('default/web', port, [endpointOf(a)])]);
    const held = await rawConnect(port);
    await waitFor(() => second.serviceSnapshot('default/web')?.connections.active === 1);
    const started = Date.now();
    expect(await second.close(150)).toEqual({ graceful: false, destroyed: 1 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await closedWithin(held, 1000)).toBe(true);
  });

  it('exposes its counters through a prom-client registry', async () => {
    const registry = new Registry();
    const port = await freePort();
    const withRegistry = new ServiceProxy({ registry });
    extra.push({ close: () => withRegistry.close(500) });
    await withRegistry.applyServices([serviceOf('default/web', port, [endpointOf(a), endpointOf(b, { ready: false })])]);
    await sequential(port, 3);
    await waitFor(() => withRegistry.serviceSnapshot('default/web')?.connections.active === 0);
    const text = await registry.metrics();
    expect(text).toContain('berth_proxy_connections_total{service="default/web"} 3');
    expect(text).toContain('berth_proxy_connections_active{service="default/web"} 0');
    expect(text).toContain('berth_proxy_endpoints_eligible{service="default/web"} 1');
    expect(text).toMatch(/berth_proxy_bytes_total\{service="default\/web",direction="out"\} [1-9]\d*/);
  });
});
