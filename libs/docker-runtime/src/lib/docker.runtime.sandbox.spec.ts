// The sandbox pool against the real Docker engine, with the images of tools/images (berth/pause:test).
import Dockerode from 'dockerode';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { ContainerSpec, RuntimeEvent } from './container-runtime';
import { DockerRuntime, type DockerRuntimeOptions } from './docker.runtime';
import { HostPortAllocator } from './host-port-allocator';

const BUILD_IMAGES = resolve(__dirname, '../../../../tools/images/build-images.sh');
const RUN = `sbx-${randomUUID().slice(0, 8)}`;
const docker = new Dockerode();
const runtimes: DockerRuntime[] = [];
let seq = 0;

function pooled(node: string, size: number, more: Partial<DockerRuntimeOptions> = {}): DockerRuntime {
  const runtime = new DockerRuntime({ docker, node, sandboxSweepMinAgeMs: 0, sandboxPool: { size, image: 'berth/pause:test', concurrency: 2, sweepIntervalMs: 600_000 }, ...more });
  runtimes.push(runtime);
  return runtime;
}

function spec(node: string, overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  seq += 1;
  return {
    replicaUid: randomUUID(),
    name: `web-${seq}`,
    namespace: 'default',
    deployment: 'web',
    node,
    image: 'berth/http:test',
    ports: [{ name: 'http', containerPort: 80 }],
    hostIp: '127.0.0.2',
    ...overrides,
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return { status: response.status, body: await response.text() };
}

const sandboxesOf = (node: string) => docker.listContainers({ all: true, filters: { label: ['berth.sandbox=true', `berth.node=${node}`] } });
const exists = (id: string) =>
  docker
    .getContainer(id)
    .inspect()
    .then(
      () => true,
      () => false,
    );

/** Creates one replica (learning the signature), then waits for the pool to fill. */
async function warm(runtime: DockerRuntime, node: string, size: number): Promise<string> {
  const first = await runtime.createAndStart(spec(node));
  await waitFor('the pool to fill', async () => {
    await runtime.sandboxesSettled();
    return runtime.spareSandboxes() >= size ? true : undefined;
  });
  return first.containerId;
}

beforeAll(() => {
  execFileSync('bash', [BUILD_IMAGES, '--quiet'], { stdio: 'inherit', timeout: 120_000 });
}, 130_000);

afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.closeSandboxes().catch(() => undefined)));
  const leftovers = await docker.listContainers({ all: true, filters: { label: ['berth.managed=true'] } });
  const ours = leftovers.filter((c) => (c.Labels['berth.node'] ?? '').startsWith(RUN));
  await Promise.all(ours.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
});

describe('DockerRuntime sandbox pool (real engine)', () => {
  it('starts a replica in a spare sandbox: it answers on its reported host port, the pool refills, remove takes both', async () => {
    const node = `${RUN}-a`;
    const allocator = new HostPortAllocator();
    const runtime = pooled(node, 2, { allocator });
    const first = await warm(runtime, node, 2);
    // The first replica met an empty pool: the normal path, its own network.
    expect((await runtime.inspect(first)).labels['berth.sandbox-id']).toBeUndefined();
    const spares = await sandboxesOf(node);
    expect(spares).toHaveLength(2);
    for (const s of spares) {
      expect(s.State).toBe('running');
      expect(s.Labels).toMatchObject({ 'berth.managed': 'true', 'berth.sandbox': 'true', 'berth.node': node, 'berth.sandbox-signature': '127.0.0.2|20000-29999|80/tcp' });
    }

    const started = await runtime.createAndStart(spec(node, { name: 'web-pooled' }));
    const info = await runtime.inspect(started.containerId);
    const sandboxId = info.labels['berth.sandbox-id'];
    expect(spares.map((s) => s.Id)).toContain(sandboxId);
    const port = started.hostPorts[80];
    expect(info.hostPorts).toEqual({ 80: port });
    expect(allocator.isReserved('127.0.0.2', port)).toBe(true);
    // The replica shares the sandbox's network namespace, hence its hostname.
    const sandboxHostname = (await docker.getContainer(sandboxId).inspect()).Config.Hostname;
    expect(sandboxHostname).toMatch(new RegExp(`^${node}-[0-9a-f]{8}$`));
    expect(await waitFor('http', () => httpGet(`http://127.0.0.2:${port}/`))).toEqual({ status: 200, body: `${sandboxHostname}\n` });

    // list() reports replicas only, with the sandbox's ports.
    const listed = await runtime.list({ node });
    expect(listed.map((c) => c.containerId).sort()).toEqual([first, started.containerId].sort());
    expect(listed.find((c) => c.containerId === started.containerId)?.hostPorts).toEqual({ 80: port });

    await waitFor('the refill', async () => {
      await runtime.sandboxesSettled();
      return runtime.spareSandboxes() === 2 ? true : undefined;
    });
    expect(await sandboxesOf(node)).toHaveLength(3);

    await runtime.remove(started.containerId);
    expect(await exists(started.containerId)).toBe(false);
    // The sandbox (its network) goes right after, off the caller's path.
    await runtime.sandboxesSettled();
    expect(await exists(sandboxId)).toBe(false);
    expect(allocator.isReserved('127.0.0.2', port)).toBe(false);
    await expect(httpGet(`http://127.0.0.2:${port}/`)).rejects.toThrow();

    // Closing the pool removes the spares; containers in use stay.
    await runtime.remove(first);
    await runtime.closeSandboxes();
    expect(await sandboxesOf(node)).toHaveLength(0);
  }, 90_000);

  it('keeps sandboxes out of events(); a sandbox that dies takes its replica down, seen as its exit', async () => {
    const node = `${RUN}-b`;
    const runtime = pooled(node, 2);
    await warm(runtime, node, 2);
    const a = await runtime.createAndStart(spec(node));
    const b = await runtime.createAndStart(spec(node));
    const sandboxOf = async (id: string) => (await runtime.inspect(id)).labels['berth.sandbox-id'];
    const [sandboxA, sandboxB] = [await sandboxOf(a.containerId), await sandboxOf(b.containerId)];
    expect(sandboxA).toBeDefined();
    expect(sandboxB).toBeDefined();

    const subscription = await runtime.events({ node });
    const seen: RuntimeEvent[] = [];
    const reading = (async () => {
      for await (const event of subscription) {
        seen.push(event);
        if (event.type === 'die' && event.containerId === a.containerId) break;
      }
    })();
    await docker.getContainer(sandboxA).kill();
    const timer = setTimeout(() => subscription.close(), 20_000);
    await reading;
    clearTimeout(timer);
    subscription.close();
    expect(seen.find((e) => e.type === 'die' && e.containerId === a.containerId)).toBeDefined();
    expect(seen.filter((e) => e.labels['berth.sandbox'] === 'true')).toEqual([]);
    expect(seen.every((e) => e.replicaUid)).toBe(true);

    // Without an event stream, the next list() finds the replica cut off and kills it.
    await docker.getContainer(sandboxB).kill();
    await runtime.list({ node });
    const b2 = await waitFor('b to exit', async () => {
      const info = await runtime.inspect(b.containerId);
      return info.status === 'exited' ? info : undefined;
    });
    expect(b2.exit?.exitCode).toBe(137);

    await runtime.remove(a.containerId);
    await runtime.remove(b.containerId);
    await runtime.sandboxesSettled();
    expect(await exists(sandboxA)).toBe(false);
    expect(await exists(sandboxB)).toBe(false);
  }, 90_000);

  it('a restarted runtime removes spares and orphaned sandboxes, keeps those in use, and removes them with their replica', async () => {
    const node = `${RUN}-c`;
    const before = pooled(node, 2);
    await warm(before, node, 2);
    const kept = await before.createAndStart(spec(node));
    const orphaned = await before.createAndStart(spec(node));
    const keptSandbox = (await before.inspect(kept.containerId)).labels['berth.sandbox-id'];
    const orphanSandbox = (await before.inspect(orphaned.containerId)).labels['berth.sandbox-id'];
    await before.sandboxesSettled();
    // The replica goes behind Berth's back; the agent process "crashes" (no close): spares stay.
    await docker.getContainer(orphaned.containerId).remove({ force: true });
    // The pool refills in the background (held back while starts are in flight): wait for its two spares.
    const spares = await waitFor('the pool to refill two spares', async () => {
      const ids = (await sandboxesOf(node)).map((s) => s.Id).filter((id) => id !== keptSandbox && id !== orphanSandbox);
      return ids.length >= 2 ? ids : undefined;
    });
    expect(spares).toHaveLength(2);

    // The next run, with the pool off: the sweep still cleans up after the pooled one.
    const after = new DockerRuntime({ docker, node, sandboxSweepMinAgeMs: 0 });
    runtimes.push(after);
    expect(await after.startSandboxes()).toBe(3);
    expect((await sandboxesOf(node)).map((s) => s.Id)).toEqual([keptSandbox]);
    const adopted = await after.list({ node });
    expect(adopted.map((c) => [c.containerId, c.hostPorts])).toEqual(
      expect.arrayContaining([[kept.containerId, { 80: kept.hostPorts[80] }]]),
    );
    expect(await waitFor('http', () => httpGet(`http://127.0.0.2:${kept.hostPorts[80]}/`))).toMatchObject({ status: 200 });

    await after.remove(kept.containerId);
    await after.sandboxesSettled();
    expect(await exists(keptSandbox)).toBe(false);
    expect(await sandboxesOf(node)).toHaveLength(0);
  }, 90_000);

  it('removes the sandbox of a replica container removed behind its back, once events() sees it go', async () => {
    const node = `${RUN}-f`;
    const runtime = pooled(node, 1);
    await warm(runtime, node, 1);
    const started = await runtime.createAndStart(spec(node));
    const sandboxId = (await runtime.inspect(started.containerId)).labels['berth.sandbox-id'];
    const subscription = await runtime.events({ node });
    const reading = (async () => {
      for await (const event of subscription) if (event.type === 'destroy' && event.containerId === started.containerId) break;
    })();
    await docker.getContainer(started.containerId).remove({ force: true });
    const timer = setTimeout(() => subscription.close(), 20_000);
    await reading;
    clearTimeout(timer);
    subscription.close();
    await waitFor('the sandbox to be removed', async () => ((await exists(sandboxId)) ? undefined : true));
  }, 60_000);

  it('a spare that died is not used: the replica takes the normal path and still answers', async () => {
    const node = `${RUN}-d`;
    const runtime = pooled(node, 1);
    await warm(runtime, node, 1);
    const [spare] = await sandboxesOf(node);
    await docker.getContainer(spare.Id).kill();
    const started = await runtime.createAndStart(spec(node));
    expect((await runtime.inspect(started.containerId)).labels['berth.sandbox-id']).toBeUndefined();
    expect(await waitFor('http', () => httpGet(`http://127.0.0.2:${started.hostPorts[80]}/`))).toMatchObject({ status: 200 });
    expect(await exists(spare.Id)).toBe(false);
  }, 90_000);

  it('refuses a pool without a node, and turns itself off when the sandbox image is missing', async () => {
    expect(() => new DockerRuntime({ docker, sandboxPool: { size: 1, image: 'berth/pause:test' } })).toThrow(/node/);
    const runtime = pooled(`${RUN}-e`, 1, { sandboxPool: { size: 1, image: `berth/no-such-pause:${RUN}` } });
    await expect(runtime.startSandboxes()).rejects.toThrow(/sandbox image "berth\/no-such-pause:.*" is not on this engine/);
    const started = await runtime.createAndStart(spec(`${RUN}-e`));
    expect((await runtime.inspect(started.containerId)).labels['berth.sandbox-id']).toBeUndefined();
    expect(runtime.spareSandboxes()).toBe(0);
  }, 60_000);
});
