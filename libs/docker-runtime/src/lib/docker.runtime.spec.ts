// Integration tests against the real Docker engine, with the images of tools/images.
import Dockerode from 'dockerode';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { ContainerInfo, ContainerSpec, LogLine, RuntimeEvent, RuntimeEventSubscription } from './container-runtime';
import { DockerRuntime } from './docker.runtime';
import { HostPortAllocator } from './host-port-allocator';
import {
  ContainerNotFound,
  ContainerNotRunning,
  CreateContainerConfigError,
  CreateContainerError,
  ErrImageNeverPull,
  ErrImagePull,
  HostPortsUnavailable,
  InvalidImageName,
  RunContainerError,
} from './runtime.errors';

const BUILD_IMAGES = resolve(__dirname, '../../../../tools/images/build-images.sh');
const RUN = `test-${randomUUID().slice(0, 8)}`;
const RUN_LABEL = 'berth.test-run';
const MiB = 1024 * 1024;

const docker = new Dockerode();
const runtime = new DockerRuntime({ docker });
let seq = 0;

function spec(overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  seq += 1;
  return {
    replicaUid: randomUUID(),
    name: `web-${seq}`,
    namespace: 'default',
    deployment: 'web',
    node: `${RUN}-n1`,
    image: 'berth/http:test',
    env: {},
    ports: [],
    hostIp: '127.0.0.1',
    ...overrides,
    labels: { [RUN_LABEL]: RUN, ...overrides.labels },
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return { status: response.status, body: await response.text() };
}

const waitForExit = (id: string): Promise<ContainerInfo> =>
  waitFor(`exit of ${id}`, async () => {
    const info = await runtime.inspect(id);
    return info.status === 'exited' ? info : undefined;
  });

async function readLines(stream: Readable): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for await (const line of stream) lines.push(line as LogLine);
  return lines;
}

async function eventsUntil(subscription: RuntimeEventSubscription, done: (seen: RuntimeEvent[]) => boolean, timeoutMs = 15_000): Promise<RuntimeEvent[]> {
  const seen: RuntimeEvent[] = [];
  const timer = setTimeout(() => subscription.close(), timeoutMs);
  try {
    for await (const event of subscription) {
      seen.push(event);
      if (done(seen)) break;
    }
  } finally {
    clearTimeout(timer);
    subscription.close();
  }
  return seen;
}

function listen(port: number, host: string): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => resolvePromise(server));
  });
}

async function engineContainersOf(filterLabel: string): Promise<Dockerode.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [filterLabel] } });
}

beforeAll(() => {
  execFileSync('bash', [BUILD_IMAGES, '--quiet'], { stdio: 'inherit', timeout: 120_000 });
}, 130_000);

afterAll(async () => {
  const leftovers = await engineContainersOf(`${RUN_LABEL}=${RUN}`);
  await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
});

describe('DockerRuntime against the Docker engine', () => {
  it('publishes ports on the advertise address and serves from the running container', async () => {
    const [local, advertised] = await Promise.all([
      runtime.createAndStart(spec({ name: 'web-local', hostIp: '127.0.0.1', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] })),
      runtime.createAndStart(spec({ name: 'web-advertised', hostIp: '127.0.0.2', ports: [{ containerPort: 80 }] })),
    ]);
    for (const [started, ip, hostname] of [
      [local, '127.0.0.1', 'web-local'],
      [advertised, '127.0.0.2', 'web-advertised'],
    ] as const) {
      const port = started.hostPorts[80];
      expect(port).toBeGreaterThanOrEqual(20000);
      expect(port).toBeLessThanOrEqual(29_999);
      const root = await waitFor('http', () => httpGet(`http://${ip}:${port}/`));
      expect(root).toEqual({ status: 200, body: `${hostname}\n` });
      expect((await httpGet(`http://${ip}:${port}/healthz`)).status).toBe(200);
    }
    // Bound to 127.0.0.2 only: the same port on 127.0.0.1 answers nothing.
    await expect(httpGet(`http://127.0.0.1:${advertised.hostPorts[80]}/`)).rejects.toThrow();

    const info = await runtime.inspect(advertised.containerId);
    expect(info).toMatchObject({
      status: 'running',
      node: `${RUN}-n1`,
      deployment: 'web',
      namespace: 'default',
      replicaName: 'web-advertised',
      hostPorts: { 80: advertised.hostPorts[80] },
      oomKilled: false,
    });
    expect(info.labels['berth.managed']).toBe('true');
    expect(info.exit).toBeUndefined();
    expect(info.startedAt).toBeInstanceOf(Date);
  });

  it('honours env, command and args with Kubernetes semantics', async () => {
    const [both, argsOnly, commandOnly] = await Promise.all([
      runtime.createAndStart(
        spec({ image: 'berth/busybox:test', command: ['sh', '-c'], args: ['echo "$GREETING, $1"', 'argv0', 'world'], env: { GREETING: 'hello' } }),
      ),
      runtime.createAndStart(spec({ image: 'berth/busybox:test', args: ['echo', 'args-only'] })),
      // command replaces ENTRYPOINT and drops the image CMD ("sh"), so nothing is appended.
      runtime.createAndStart(spec({ image: 'berth/busybox:test', command: ['echo', 'command-only'] })),
    ]);
    const outputOf = async (id: string): Promise<string[]> => {
      await waitForExit(id);
      return (await readLines(await runtime.logs(id))).map((l) => l.line);
    };
    expect(await outputOf(both.containerId)).toEqual(['hello, world']);
    expect(await outputOf(argsOnly.containerId)).toEqual(['args-only']);
    expect(await outputOf(commandOnly.containerId)).toEqual(['command-only']);
    expect((await runtime.inspect(both.containerId)).exit).toEqual({ reason: 'Completed', exitCode: 0, oomKilled: false });
  });

  it('reports a crash as Error with its exit code, and events() sees start and die at once', async () => {
    const node = `${RUN}-crash`;
    const subscription = await runtime.events({ node });
    const crashing = await runtime.createAndStart(spec({ node, image: 'berth/crash:test', env: { CRASH_AFTER: '1', EXIT_CODE: '3' } }));
    const events = await eventsUntil(subscription, (seen) => seen.some((e) => e.type === 'die'));
    const dieAt = Date.now();
    expect(events.map((e) => e.type)).toEqual(['start', 'die']);
    const die = events[1];
    expect(die).toMatchObject({ containerId: crashing.containerId, node, exit: { reason: 'Error', exitCode: 3, oomKilled: false } });
    expect(die.replicaUid).toBeDefined();

    const info = await runtime.inspect(crashing.containerId);
    expect(info.status).toBe('exited');
    expect(info.exit).toEqual({ reason: 'Error', exitCode: 3, oomKilled: false });
    const ranMs = (info.finishedAt?.getTime() ?? 0) - (info.startedAt?.getTime() ?? Infinity);
    expect(ranMs).toBeGreaterThan(900);
    expect(info.finishedAt?.getTime()).toBeLessThanOrEqual(dieAt);
  });

  it('kills a container over its memory limit and reports OOMKilled', async () => {
    const node = `${RUN}-oom`;
    const subscription = await runtime.events({ node });
    const hog = await runtime.createAndStart(spec({ node, image: 'berth/memhog:test', memoryBytes: 16 * MiB }));
    const events = await eventsUntil(subscription, (seen) => seen.some((e) => e.type === 'die'));
    expect(events.map((e) => e.type)).toContain('oom');
    expect(events.find((e) => e.type === 'die')).toMatchObject({ containerId: hog.containerId, exit: { reason: 'OOMKilled', exitCode: 137, oomKilled: true } });
    const info = await runtime.inspect(hog.containerId);
    expect(info.exit).toEqual({ reason: 'OOMKilled', exitCode: 137, oomKilled: true });
  });

  it('stops with SIGTERM, then SIGKILL after the grace period', async () => {
    const [graceful, stubborn] = await Promise.all([
      runtime.createAndStart(spec({ image: 'berth/busybox:test', command: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done'] })),
      // A shell as PID 1 without a trap ignores SIGTERM.
      runtime.createAndStart(spec({ image: 'berth/busybox:test', command: ['sh', '-c', 'while :; do sleep 0.1; done'] })),
    ]);
    const timed = async (id: string): Promise<number> => {
      const start = Date.now();
      await runtime.stop(id, 2);
      return Date.now() - start;
    };
    const [gracefulMs, stubbornMs] = await Promise.all([timed(graceful.containerId), timed(stubborn.containerId)]);
    expect(gracefulMs).toBeLessThan(1500);
    expect(stubbornMs).toBeGreaterThanOrEqual(1900);
    expect(stubbornMs).toBeLessThan(6000);
    expect((await runtime.inspect(graceful.containerId)).exit).toEqual({ reason: 'Completed', exitCode: 0, oomKilled: false });
    // Killed by the grace period, not by memory: 137 but no OOMKilled.
    expect((await runtime.inspect(stubborn.containerId)).exit).toEqual({ reason: 'Error', exitCode: 137, oomKilled: false });
    await expect(runtime.stop(stubborn.containerId, 1)).resolves.toBeUndefined();
  });

  describe('images', () => {
    const missing = `berth/missing-${randomUUID().slice(0, 8)}:v1`;

    it('uses a present image without pulling under IfNotPresent and Never', async () => {
      const present = await runtime.ensureImage('berth/http:test', 'IfNotPresent');
      expect(present).toMatchObject({ image: 'berth/http:test', pulled: false });
      expect(present.imageId).toMatch(/^sha256:/);
      expect((await runtime.ensureImage('nginx', 'Never')).image).toBe('nginx:latest');
    });

    it('fails Never with a missing image as ErrImageNeverPull', async () => {
      const error = await runtime.ensureImage(missing, 'Never').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ErrImageNeverPull);
      expect((error as ErrImageNeverPull).reason).toBe('ErrImageNeverPull');
      expect((error as Error).message).toBe(`Container image "${missing}" is not present with pull policy of Never`);
    });

    it('fails IfNotPresent with a missing image as ErrImagePull, quickly, with the engine message', async () => {
      const start = Date.now();
      const error = await runtime.ensureImage(missing, 'IfNotPresent').catch((e: unknown) => e);
      expect(Date.now() - start).toBeLessThan(10_000);
      expect(error).toBeInstanceOf(ErrImagePull);
      expect((error as ErrImagePull).engineMessage).toBeTruthy();
      expect((error as Error).message).toContain(`Failed to pull image "${missing}"`);
    });

    it('falls back to the local copy when Always cannot pull', async () => {
      // A name no registry has, so the pull fails with or without a network.
      const [repo, tag] = [`berth/local-only-${RUN}`, 'v1'];
      await docker.getImage('berth/busybox:test').tag({ repo, tag });
      try {
        const result = await runtime.ensureImage(`${repo}:${tag}`, 'Always');
        expect(result).toMatchObject({ image: `${repo}:${tag}`, pulled: false });
        expect(result.pullError).toBeTruthy();
        const strict = new DockerRuntime({ docker, useLocalImageWhenAlwaysPullFails: false });
        await expect(strict.ensureImage(`${repo}:${tag}`, 'Always')).rejects.toBeInstanceOf(ErrImagePull);
      } finally {
        await docker.getImage(`${repo}:${tag}`).remove();
      }
    });

    it('rejects an invalid reference as InvalidImageName, before touching the engine', async () => {
      await expect(runtime.ensureImage('Not A/Valid:Image', 'IfNotPresent')).rejects.toBeInstanceOf(InvalidImageName);
      const node = `${RUN}-badimage`;
      await expect(runtime.createAndStart(spec({ node, image: 'UPPER CASE' }))).rejects.toBeInstanceOf(InvalidImageName);
      expect(await runtime.list({ node })).toEqual([]);
    });
  });

  describe('bad specs leave nothing behind', () => {
    it('a command that does not exist is a RunContainerError and the container is removed', async () => {
      const node = `${RUN}-nocmd`;
      const error = await runtime.createAndStart(spec({ node, command: ['/no/such/binary'], ports: [{ containerPort: 80 }] })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RunContainerError);
      expect((error as RunContainerError).reason).toBe('RunContainerError');
      expect((error as Error).message).toMatch(/no such file or directory|not found/);
      expect(await runtime.list({ node })).toEqual([]);
    });

    it('a missing image at create is a CreateContainerError, a too-small memory limit a CreateContainerConfigError', async () => {
      const node = `${RUN}-badcreate`;
      const noImage = await runtime.createAndStart(spec({ node, image: `berth/missing-${seq}:x` })).catch((e: unknown) => e);
      expect(noImage).toBeInstanceOf(CreateContainerError);
      expect((noImage as Error).message).toMatch(/No such image/i);
      const tiny = await runtime.createAndStart(spec({ node, memoryBytes: 1024 * 1024 })).catch((e: unknown) => e);
      expect(tiny).toBeInstanceOf(CreateContainerConfigError);
      expect((tiny as Error).message).toMatch(/memory/i);
      await expect(runtime.createAndStart(spec({ node, hostIp: 'not-an-ip' }))).rejects.toBeInstanceOf(CreateContainerConfigError);
      expect(await runtime.list({ node })).toEqual([]);
    });
  });

  describe('host ports', () => {
    async function takenPortWithFreeNeighbour(host: string): Promise<{ server: Server; port: number }> {
      for (;;) {
        const server = await listen(0, host);
        const port = (server.address() as { port: number }).port;
        const neighbour = await listen(port + 1, host).catch(() => undefined);
        if (neighbour) {
          await new Promise((r) => neighbour.close(r));
          return { server, port };
        }
        server.close();
      }
    }

    it('moves to another port when something outside the engine holds one, and says so when none is left', async () => {
      const { server, port } = await takenPortWithFreeNeighbour('127.0.0.2');
      try {
        // random() = 0 makes the allocator try the taken port first.
        const firstTry = new DockerRuntime({ docker, allocator: new HostPortAllocator({ random: () => 0 }) });
        const node = `${RUN}-ports`;
        const started = await firstTry.createAndStart(
          spec({ node, hostIp: '127.0.0.2', ports: [{ containerPort: 80 }], hostPortRange: { from: port, to: port + 1 } }),
        );
        expect(started.hostPorts[80]).toBe(port + 1);
        expect((await waitFor('http', () => httpGet(`http://127.0.0.2:${port + 1}/healthz`))).status).toBe(200);

        const error = await firstTry
          .createAndStart(spec({ node, hostIp: '127.0.0.2', ports: [{ containerPort: 80 }], hostPortRange: { from: port, to: port } }))
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(HostPortsUnavailable);
        expect((error as Error).message).toMatch(new RegExp(`no free host port on 127.0.0.2 in ${port}-${port}.*${port}: .*address already in use`));
        expect((await firstTry.list({ node })).map((c) => c.containerId)).toEqual([started.containerId]);
      } finally {
        server.close();
      }
    });

    it('gives concurrent creations distinct ports from a narrow range', async () => {
      const { server, port } = await takenPortWithFreeNeighbour('127.0.0.3');
      server.close();
      const node = `${RUN}-narrow`;
      const range = { from: port, to: port + 1 };
      const started = await Promise.all(
        [0, 1].map(() => runtime.createAndStart(spec({ node, hostIp: '127.0.0.3', ports: [{ containerPort: 80 }], hostPortRange: range }))),
      );
      expect(new Set(started.map((s) => s.hostPorts[80]))).toEqual(new Set([port, port + 1]));
      // The range is full now: a third one cannot be placed.
      await expect(runtime.createAndStart(spec({ node, hostIp: '127.0.0.3', ports: [{ containerPort: 80 }], hostPortRange: range }))).rejects.toBeInstanceOf(
        HostPortsUnavailable,
      );
      // Removing one frees its port for the next.
      await runtime.remove(started[0].containerId);
      const next = await runtime.createAndStart(spec({ node, hostIp: '127.0.0.3', ports: [{ containerPort: 80 }], hostPortRange: range }));
      expect(next.hostPorts[80]).toBe(started[0].hostPorts[80]);
    });
  });

  it('list() finds containers by node label, also from a fresh runtime (adoption)', async () => {
    const nodeA = `${RUN}-list-a`;
    const nodeB = `${RUN}-list-b`;
    const [a1, a2, b1] = await Promise.all([
      runtime.createAndStart(spec({ node: nodeA, hostIp: '127.0.0.2', ports: [{ containerPort: 80 }] })),
      runtime.createAndStart(spec({ node: nodeA, image: 'berth/busybox:test', command: ['true'] })),
      runtime.createAndStart(spec({ node: nodeB })),
    ]);
    await waitForExit(a2.containerId);
    const adopted = await new DockerRuntime({ docker }).list({ node: nodeA });
    expect(adopted.map((c) => c.containerId).sort()).toEqual([a1.containerId, a2.containerId].sort());
    const byId = new Map(adopted.map((c) => [c.containerId, c]));
    expect(byId.get(a1.containerId)).toMatchObject({ status: 'running', node: nodeA, hostPorts: a1.hostPorts });
    expect(byId.get(a2.containerId)).toMatchObject({ status: 'exited', exit: { reason: 'Completed', exitCode: 0 } });
    expect(byId.get(a2.containerId)?.finishedAt).toBeInstanceOf(Date);
    const [onlyB] = await runtime.list({ node: nodeB });
    expect(onlyB.containerId).toBe(b1.containerId);
    expect(await runtime.list({ node: nodeB, replicaUid: onlyB.replicaUid })).toHaveLength(1);
    expect(await runtime.list({ node: nodeB, replicaUid: 'nobody' })).toEqual([]);

    await runtime.remove(b1.containerId);
    await runtime.remove(b1.containerId);
    expect(await runtime.list({ node: nodeB })).toEqual([]);
    await expect(runtime.inspect(b1.containerId)).rejects.toBeInstanceOf(ContainerNotFound);
    await expect(runtime.stop(b1.containerId, 1)).rejects.toBeInstanceOf(ContainerNotFound);
  });

  it('exec runs a command in the container with its exit code and output, and times out', async () => {
    const { containerId } = await runtime.createAndStart(spec());
    const result = await runtime.exec(containerId, ['sh', '-c', 'echo out; echo err >&2; exit 3'], 5000);
    expect(result).toEqual({ exitCode: 3, output: expect.stringMatching(/out\n[\s\S]*err\n|err\n[\s\S]*out\n/), timedOut: false });
    expect(await runtime.exec(containerId, ['cat', '/www/healthz'], 5000)).toEqual({ exitCode: 0, output: 'ok\n', timedOut: false });
    const missing = await runtime.exec(containerId, ['/no/such/probe'], 5000);
    expect(missing.exitCode).not.toBe(0);

    const start = Date.now();
    const slow = await runtime.exec(containerId, ['sleep', '5'], 300);
    expect(slow).toMatchObject({ exitCode: null, timedOut: true });
    expect(Date.now() - start).toBeLessThan(2000);

    await runtime.stop(containerId, 1);
    await expect(runtime.exec(containerId, ['true'], 1000)).rejects.toBeInstanceOf(ContainerNotRunning);
  });

  it('stats reports CPU like docker stats (limited by cpuMilli) and memory against the limit', async () => {
    const { containerId } = await runtime.createAndStart(
      spec({
        image: 'berth/busybox:test',
        command: ['sh', '-c', 'x=$(head -c 8000000 /dev/zero | tr "\\0" y); while :; do :; done'],
        cpuMilli: 500,
        memoryBytes: 64 * MiB,
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    const stats = await runtime.stats(containerId);
    expect(stats.memoryLimitBytes).toBe(64 * MiB);
    expect(stats.memoryBytes).toBeGreaterThan(8_000_000);
    expect(stats.memoryBytes).toBeLessThan(64 * MiB);
    // Half a core at most (NanoCpus), and clearly busy.
    expect(stats.cpuPercent).toBeGreaterThan(10);
    expect(stats.cpuPercent).toBeLessThan(70);
  });

  it('logs are demultiplexed lines with their stream, bounded, and can be followed', async () => {
    const { containerId } = await runtime.createAndStart(
      spec({ image: 'berth/busybox:test', command: ['sh', '-c', 'for i in 1 2 3; do echo out$i; echo err$i >&2; done; i=0; while :; do i=$((i+1)); echo tick$i; sleep 0.2; done'] }),
    );
    await waitFor('ticks', async () => ((await readLines(await runtime.logs(containerId))).length >= 9 ? true : undefined));
    const all = await readLines(await runtime.logs(containerId));
    expect(all.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['err1', 'err2', 'err3']);
    expect(all.filter((l) => l.stream === 'stdout').map((l) => l.line).slice(0, 4)).toEqual(['out1', 'out2', 'out3', 'tick1']);

    const tail = await readLines(await runtime.logs(containerId, { tailLines: 2 }));
    expect(tail).toHaveLength(2);
    expect(tail.every((l) => l.line.startsWith('tick'))).toBe(true);
    // 7 bytes: one whole line ("out1\n" or "err1\n", the engine orders the two pipes by arrival) and two bytes more.
    const limited = await readLines(await runtime.logs(containerId, { limitBytes: 7, timestamps: true }));
    expect(limited).toHaveLength(2);
    expect(['out1', 'err1']).toContain(limited[0].line);
    expect(limited[1].line).toHaveLength(2);
    expect(limited[0].timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);

    const followed = await runtime.logs(containerId, { follow: true, tailLines: 0 });
    const live: string[] = [];
    for await (const line of followed) {
      live.push((line as LogLine).line);
      if (live.length === 2) break;
    }
    expect(live.every((l) => l.startsWith('tick'))).toBe(true);
    expect(followed.destroyed).toBe(true);
    await expect(runtime.logs('no-such-container')).rejects.toBeInstanceOf(ContainerNotFound);
  });
});
