import type { Readable } from 'node:stream';
import {
  BERTH_LABELS,
  ContainerNotFound,
  ContainerNotRunning,
  CreateContainerConfigError,
  CreateContainerError,
  engineContainerName,
  ErrImageNeverPull,
  ErrImagePull,
  HostPortsUnavailable,
  InvalidImageName,
  RunContainerError,
  RuntimeUnavailable,
  type ContainerSpec,
  type LogLine,
  type RuntimeEvent,
  type RuntimeEventSubscription,
} from '@berth/docker-runtime';
import { HollowCluster, type HollowClusterOptions } from './hollow-cluster';
import { HollowScheduler } from './hollow-scheduler';

const T0 = Date.UTC(2024, 0, 1);
const MiB = 1024 * 1024;
let seq = 0;

function spec(overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  seq += 1;
  return {
    replicaUid: `uid-${seq}`,
    name: `web-${seq}`,
    namespace: 'default',
    deployment: 'web',
    node: 'node-1',
    image: 'berth/http:test',
    hostIp: '127.0.0.2',
    ...overrides,
  };
}

function manualCluster(options: HollowClusterOptions = {}): HollowCluster {
  return new HollowCluster({ statsJitter: 0, ...options, scheduler: new HollowScheduler({ manual: true, startAt: T0 }) });
}

/** Collects events in the background until stopped. */
function collect(subscription: RuntimeEventSubscription): { events: RuntimeEvent[]; done: Promise<void> } {
  const events: RuntimeEvent[] = [];
  const done = (async () => {
    for await (const event of subscription) events.push(event);
  })();
  return { events, done };
}

async function readLines(stream: Readable): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for await (const line of stream) lines.push(line as LogLine);
  return lines;
}

describe('HollowRuntime', () => {
  let cluster: HollowCluster;
  afterEach(() => cluster?.close());

  describe('create, start, list, inspect', () => {
    it('creates a running container with Berth labels, an engine-like id and host ports from the range', async () => {
      cluster = manualCluster({ hostPortRange: { from: 30000, to: 30099 } });
      const runtime = cluster.node('node-1');
      const s = spec({ ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP', name: 'dns' }], labels: { team: 'a' } });
      const started = await runtime.createAndStart(s);

      expect(started.containerId).toMatch(/^[0-9a-f]{64}$/);
      expect(started.name).toBe(engineContainerName(s));
      expect(started.ports).toHaveLength(2);
      expect(started.hostPorts[80]).toBeGreaterThanOrEqual(30000);
      expect(started.hostPorts[80]).toBeLessThanOrEqual(30099);
      expect(started.hostPorts[53]).not.toBe(started.hostPorts[80]);
      expect(started.ports[1]).toMatchObject({ name: 'dns', protocol: 'UDP', hostIp: '127.0.0.2' });

      const info = await runtime.inspect(started.containerId);
      expect(info).toMatchObject({
        containerId: started.containerId,
        name: started.name,
        image: 'berth/http:test',
        replicaUid: s.replicaUid,
        replicaName: s.name,
        node: 'node-1',
        deployment: 'web',
        namespace: 'default',
        status: 'running',
        oomKilled: false,
        hostPorts: started.hostPorts,
      });
      expect(info.exit).toBeUndefined();
      expect(info.startedAt).toEqual(new Date(T0));
      expect(info.labels).toMatchObject({
        team: 'a',
        [BERTH_LABELS.managed]: 'true',
        [BERTH_LABELS.replica]: s.replicaUid,
        [BERTH_LABELS.replicaName]: s.name,
        [BERTH_LABELS.node]: 'node-1',
        [BERTH_LABELS.deployment]: 'web',
        [BERTH_LABELS.namespace]: 'default',
        [BERTH_LABELS.attempt]: '0',
      });
      expect(await runtime.list()).toHaveLength(1);
    });

    it('takes the configured start time in simulated time, showing the container as created meanwhile', async () => {
      cluster = manualCluster({ behavior: { startMs: 500 } });
      const runtime = cluster.node('node-1');
      let started = false;
      const pending = runtime.createAndStart(spec()).then((result) => ((started = true), result));
      await cluster.scheduler.advance(0);
      const [created] = await runtime.list();
      expect(created.status).toBe('created');
      expect(created.startedAt).toBeUndefined();

      await cluster.scheduler.advance(499);
      expect(started).toBe(false);
      await cluster.scheduler.advance(1);
      expect(started).toBe(true);
      const info = await runtime.inspect((await pending).containerId);
      expect(info.status).toBe('running');
      expect(info.createdAt).toEqual(new Date(T0));
      expect(info.startedAt).toEqual(new Date(T0 + 500));
    });

    it('draws start times from a {min,max} range', async () => {
      cluster = manualCluster({ behavior: { startMs: { min: 100, max: 300 } } });
      const runtime = cluster.node('node-1');
      const pending = Array.from({ length: 50 }, () => runtime.createAndStart(spec()));
      await cluster.scheduler.advance(300);
      const infos = await Promise.all((await Promise.all(pending)).map((started) => runtime.inspect(started.containerId)));
      const delays = infos.map((info) => (info.startedAt?.getTime() ?? 0) - T0);
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(100);
      expect(Math.max(...delays)).toBeLessThanOrEqual(300);
      expect(new Set(delays).size).toBeGreaterThan(10);
    });

    it('lists by node label only that node’s containers, on one runtime and across the cluster', async () => {
      cluster = manualCluster();
      const a = cluster.node('node-a');
      const b = cluster.node('node-b');
      await a.createAndStart(spec({ node: 'node-a' }));
      await a.createAndStart(spec({ node: 'node-a' }));
      // Two agents sharing one engine tell their containers apart by label, as on Docker.
      await a.createAndStart(spec({ node: 'node-shared' }));
      await b.createAndStart(spec({ node: 'node-b' }));

      expect((await a.list({ node: 'node-a' })).map((info) => info.node)).toEqual(['node-a', 'node-a']);
      expect((await a.list({ node: 'node-shared' })).map((info) => info.node)).toEqual(['node-shared']);
      expect(await a.list({ node: 'node-b' })).toEqual([]);
      expect((await b.list({ node: 'node-b' })).map((info) => info.node)).toEqual(['node-b']);
      expect(await a.list()).toHaveLength(3);
    });

    it('filters by replica, deployment and namespace, every field set having to match', async () => {
      cluster = manualCluster();
      const runtime = cluster.node('node-1');
      const one = spec({ deployment: 'api', namespace: 'prod' });
      await runtime.createAndStart(one);
      await runtime.createAndStart(spec({ deployment: 'api', namespace: 'dev' }));
      await runtime.createAndStart(spec({ deployment: 'web', namespace: 'prod' }));
      expect(await runtime.list({ deployment: 'api' })).toHaveLength(2);
      expect(await runtime.list({ namespace: 'prod' })).toHaveLength(2);
      expect(await runtime.list({ deployment: 'api', namespace: 'prod' })).toHaveLength(1);
      expect((await runtime.list({ replicaUid: one.replicaUid }))[0].replicaUid).toBe(one.replicaUid);
      expect(await runtime.list({ replicaUid: 'nope' })).toEqual([]);
    });

    it('refuses a second container with the same name; a restart is a new attempt and a new container', async () => {
      cluster = manualCluster({ behavior: { crash: { afterMs: 1_000, exitCode: 1 } } });
      const runtime = cluster.node('node-1');
      const first = spec();
      const original = await runtime.createAndStart(first);
      await expect(runtime.createAndStart(first)).rejects.toThrow(CreateContainerError);
      await expect(runtime.createAndStart(first)).rejects.toThrow(/already in use/);

      await cluster.scheduler.advance(1_000);
      expect((await runtime.inspect(original.containerId)).status).toBe('exited');
      const restarted = await runtime.createAndStart({ ...first, attempt: 1 });
      expect(restarted.containerId).not.toBe(original.containerId);
      expect(restarted.name).toBe(`${original.name}-1`);
      const all = await runtime.list({ replicaUid: first.replicaUid });
      expect(all.map((info) => [info.labels[BERTH_LABELS.attempt], info.status]).sort()).toEqual([
        ['0', 'exited'],
        ['1', 'running'],
      ]);
    });

    it('rejects invalid specs like DockerRuntime does', async () => {
      cluster = manualCluster();
      const runtime = cluster.node('node-1');
      await expect(runtime.createAndStart(spec({ hostIp: 'not-an-ip' }))).rejects.toThrow(CreateContainerConfigError);
      await expect(runtime.createAndStart(spec({ ports: [{ containerPort: 80 }, { containerPort: 80 }] }))).rejects.toThrow(/Duplicate/);
      await expect(runtime.createAndStart(spec({ memoryBytes: -1 }))).rejects.toThrow(/memoryBytes/);
      await expect(runtime.createAndStart(spec({ image: 'Bad Name' }))).rejects.toThrow(InvalidImageName);
      await expect(runtime.createAndStart(spec({ env: { HOLLOW_CPU: 'fast' } }))).rejects.toThrow(CreateContainerConfigError);
      expect(await runtime.list()).toEqual([]);
    });

    it('allocates host ports per node address and frees them on remove', async () => {
      cluster = manualCluster({ hostPortRange: { from: 31000, to: 31001 } });
      const a = cluster.node('node-a');
      const b = cluster.node('node-b');
      const ports = [{ containerPort: 80 }];
      const first = await a.createAndStart(spec({ node: 'node-a', hostIp: '127.0.0.2', ports }));
      const second = await a.createAndStart(spec({ node: 'node-a', hostIp: '127.0.0.2', ports }));
      expect(new Set([first.hostPorts[80], second.hostPorts[80]])).toEqual(new Set([31000, 31001]));
      await expect(a.createAndStart(spec({ node: 'node-a', hostIp: '127.0.0.2', ports }))).rejects.toThrow(HostPortsUnavailable);

      // Another node has its own address, so the same ports are free there.
      await expect(b.createAndStart(spec({ node: 'node-b', hostIp: '127.0.0.3', ports }))).resolves.toBeDefined();
      // Two nodes on one address share its ports, as on one machine.
      await expect(b.createAndStart(spec({ node: 'node-b', hostIp: '127.0.0.2', ports }))).rejects.toThrow(HostPortsUnavailable);

      await a.stop(first.containerId, 0);
      await expect(a.createAndStart(spec({ node: 'node-a', hostIp: '127.0.0.2', ports }))).rejects.toThrow(HostPortsUnavailable);
      await a.remove(first.containerId);
      const third = await a.createAndStart(spec({ node: 'node-a', hostIp: '127.0.0.2', ports }));
      expect(third.hostPorts[80]).toBe(first.hostPorts[80]);
    });
  });

  describe('events', () => {
    it('emits start, die and destroy in order, with the RuntimeEvent shape of DockerRuntime', async () => {
      cluster = manualCluster({ behavior: { crash: { afterMs: 2_000, exitCode: 3 } } });
      const runtime = cluster.node('node-1');
      const subscription = await runtime.events({ node: 'node-1' });
      const { events, done } = collect(subscription);
      const s = spec();
      const { containerId } = await runtime.createAndStart(s);
      await cluster.scheduler.advance(2_000);
      await runtime.remove(containerId);
      await cluster.scheduler.advance(0);
      subscription.close();
      await done;

      expect(events.map((event) => event.type)).toEqual(['start', 'die', 'destroy']);
      for (const event of events) {
        expect(event).toMatchObject({ containerId, replicaUid: s.replicaUid, node: 'node-1' });
        expect(event.labels[BERTH_LABELS.managed]).toBe('true');
      }
      expect(events[0].at).toEqual(new Date(T0));
      expect(events[1].at).toEqual(new Date(T0 + 2_000));
      const die = events[1];
      expect(die.type === 'die' && die.exit).toEqual({ reason: 'Error', exitCode: 3, oomKilled: false });
    });

    it('filters by label, replays since a time, and ends the iteration on close', async () => {
      cluster = manualCluster();
      const runtime = cluster.node('node-1');
      const early = await runtime.createAndStart(spec({ deployment: 'api' }));
      await cluster.scheduler.advance(1_000);
      await runtime.createAndStart(spec({ deployment: 'web' }));

      const replay = await runtime.events({ since: new Date(T0 + 500) });
      const replayed = collect(replay);
      const onlyApi = await runtime.events({ deployment: 'api' });
      const api = collect(onlyApi);
      await runtime.remove(early.containerId);
      await cluster.scheduler.advance(0);
      replay.close();
      onlyApi.close();
      await Promise.all([replayed.done, api.done]);

      expect(replayed.events.map((event) => `${event.type}:${event.labels[BERTH_LABELS.deployment]}`)).toEqual([
        'start:web',
        'die:api',
        'destroy:api',
      ]);
      expect(api.events.map((event) => event.type)).toEqual(['die', 'destroy']);
      const die = api.events[0];
      expect(die.type === 'die' && die.exit.exitCode).toBe(137);
    });
  });

  describe('failure injection', () => {
    async function failedNames(seed: number, order: 'by-node' | 'interleaved'): Promise<string[]> {
      const local = manualCluster({ seed, behavior: { createFailure: { probability: 0.3 } } });
      try {
        const nodes = ['n1', 'n2', 'n3', 'n4'];
        const byNode = nodes.flatMap((node) => Array.from({ length: 50 }, (_, i) => ({ ...spec({ node }), name: `${node}-r${i}`, replicaUid: `${node}-r${i}` })));
        // Outcomes must not depend on the order calls reach the nodes.
        const ordered = order === 'by-node' ? byNode : [...byNode].sort((x, y) => Number(y.name.split('-r')[1]) - Number(x.name.split('-r')[1]));
        const results = await Promise.allSettled(ordered.map((s) => local.node(s.node).createAndStart(s)));
        const failed: string[] = [];
        results.forEach((result, i) => {
          if (result.status === 'rejected') {
            expect(result.reason).toBeInstanceOf(CreateContainerError);
            failed.push(ordered[i].name);
          }
        });
        expect(local.summary().running).toBe(200 - failed.length);
        return failed.sort();
      } finally {
        local.close();
      }
    }

    it('fails creates with the configured probability, reproducibly for a seed whatever the call order', async () => {
      const first = await failedNames(7, 'by-node');
      const again = await failedNames(7, 'interleaved');
      const other = await failedNames(8, 'by-node');
      expect(first).toEqual(again);
      expect(first.length).toBeGreaterThan(30);
      expect(first.length).toBeLessThan(90);
      expect(other).not.toEqual(first);
    });

    it('injects the configured error class; RunContainerError only after the start delay, leaving no container', async () => {
      cluster = manualCluster({
        images: {
          'berth/config': { createFailure: { probability: 1, reason: 'CreateContainerConfigError', message: 'secret "x" not found' } },
          'berth/run': { startMs: 300, createFailure: { probability: 1, reason: 'RunContainerError' } },
        },
      });
      const runtime = cluster.node('node-1');
      await expect(runtime.createAndStart(spec({ image: 'berth/config:1' }))).rejects.toThrow('secret "x" not found');

      const subscription = await runtime.events();
      const { events, done } = collect(subscription);
      let outcome: unknown;
      const pending = runtime.createAndStart(spec({ image: 'berth/run:1' })).catch((error: unknown) => (outcome = error));
      await cluster.scheduler.advance(299);
      expect(outcome).toBeUndefined();
      expect(await runtime.list()).toHaveLength(1);
      await cluster.scheduler.advance(1);
      await pending;
      expect(outcome).toBeInstanceOf(RunContainerError);
      expect(await runtime.list()).toEqual([]);
      subscription.close();
      await done;
      expect(events.map((event) => event.type)).toEqual(['destroy']);
    });

    it('crashes a running container after the configured time with its exit code', async () => {
      cluster = manualCluster({
        images: {
          'berth/crashy': { crash: { afterMs: { min: 1_000, max: 2_000 }, exitCode: 2 } },
          'berth/job': { crash: { afterMs: 500, exitCode: 0 } },
        },
      });
      const runtime = cluster.node('node-1');
      const crashy = await runtime.createAndStart(spec({ image: 'berth/crashy' }));
      const job = await runtime.createAndStart(spec({ image: 'berth/job' }));
      const steady = await runtime.createAndStart(spec());
      await cluster.scheduler.advance(999);
      expect((await runtime.inspect(crashy.containerId)).status).toBe('running');
      await cluster.scheduler.advance(1_001);

      const crashed = await runtime.inspect(crashy.containerId);
      expect(crashed).toMatchObject({ status: 'exited', exitCode: 2, exit: { reason: 'Error', exitCode: 2, oomKilled: false } });
      expect((crashed.finishedAt?.getTime() ?? 0) - (crashed.startedAt?.getTime() ?? 0)).toBeGreaterThanOrEqual(1_000);
      expect((await runtime.inspect(job.containerId)).exit).toEqual({ reason: 'Completed', exitCode: 0, oomKilled: false });
      expect((await runtime.inspect(steady.containerId)).status).toBe('running');
    });

    it('crashes only the configured share of containers', async () => {
      cluster = manualCluster({ seed: 3, behavior: { crash: { probability: 0.5, afterMs: 100 } } });
      const runtime = cluster.node('node-1');
      await Promise.all(Array.from({ length: 100 }, () => runtime.createAndStart(spec())));
      await cluster.scheduler.advance(100);
      const { running, exited } = runtime.summary();
      expect(running + exited).toBe(100);
      expect(exited).toBeGreaterThan(30);
      expect(exited).toBeLessThan(70);
    });

    it('OOM-kills a container whose declared use exceeds its memory limit: oom, then die OOMKilled', async () => {
      cluster = manualCluster({ images: { 'berth/hungry': { memoryBytes: 64 * MiB, oomAfterMs: 250 } } });
      const runtime = cluster.node('node-1');
      const subscription = await runtime.events();
      const { events, done } = collect(subscription);
      const hungry = await runtime.createAndStart(spec({ image: 'berth/hungry', memoryBytes: 32 * MiB }));
      const roomy = await runtime.createAndStart(spec({ image: 'berth/hungry', memoryBytes: 128 * MiB }));
      const viaEnv = await runtime.createAndStart(spec({ env: { HOLLOW_MEMORY: '40Mi' }, memoryBytes: 32 * MiB }));
      await cluster.scheduler.advance(250);
      subscription.close();
      await done;

      const info = await runtime.inspect(hungry.containerId);
      expect(info).toMatchObject({ status: 'exited', oomKilled: true, exitCode: 137, exit: { reason: 'OOMKilled', exitCode: 137, oomKilled: true } });
      expect(info.finishedAt).toEqual(new Date(T0 + 250));
      expect((await runtime.inspect(roomy.containerId)).status).toBe('running');
      expect((await runtime.inspect(viaEnv.containerId)).exit?.reason).toBe('OOMKilled');
      const ofHungry = events.filter((event) => event.containerId === hungry.containerId);
      expect(ofHungry.map((event) => event.type)).toEqual(['start', 'oom', 'die']);
      const die = ofHungry[2];
      expect(die.type === 'die' && die.exit.reason).toBe('OOMKilled');
    });
  });

  describe('images and pull policies', () => {
    it('missing images fail per policy: Never -> ErrImageNeverPull, IfNotPresent and Always -> ErrImagePull', async () => {
      cluster = manualCluster({ missingImages: ['ghost', 'berth/gone:2'] });
      const runtime = cluster.node('node-1');
      await expect(runtime.ensureImage('ghost:1.0', 'Never')).rejects.toThrow(ErrImageNeverPull);
      await expect(runtime.ensureImage('ghost', 'IfNotPresent')).rejects.toThrow(ErrImagePull);
      await expect(runtime.ensureImage('ghost:latest', 'Always')).rejects.toThrow(ErrImagePull);
      await expect(runtime.ensureImage('berth/gone:2', 'IfNotPresent')).rejects.toThrow(ErrImagePull);
      await expect(runtime.ensureImage('berth/gone:1', 'IfNotPresent')).resolves.toMatchObject({ pulled: false });
      await expect(runtime.createAndStart(spec({ image: 'ghost' }))).rejects.toThrow(/No such image: ghost:latest/);
    });

    it('existing images: present ones are not pulled except by Always; ids are stable sha256 digests', async () => {
      cluster = manualCluster();
      const runtime = cluster.node('node-1');
      const always = await runtime.ensureImage('nginx', 'Always');
      expect(always).toMatchObject({ image: 'nginx:latest', pulled: true });
      expect(always.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
      const again = await runtime.ensureImage('nginx:latest', 'IfNotPresent');
      expect(again).toEqual({ image: 'nginx:latest', imageId: always.imageId, pulled: false });
      await expect(runtime.ensureImage('nginx:latest', 'Never')).resolves.toMatchObject({ pulled: false });
      await expect(runtime.ensureImage('Bad Name', 'Never')).rejects.toThrow(InvalidImageName);
    });

    it('with preloadedImages, other images must be pulled first, taking pullMs', async () => {
      cluster = manualCluster({ behavior: { pullMs: 2_000 } });
      const runtime = cluster.node('node-1', { preloadedImages: ['berth/http:test'] });
      await expect(runtime.ensureImage('berth/http:test', 'Never')).resolves.toMatchObject({ pulled: false });
      await expect(runtime.ensureImage('berth/other:1', 'Never')).rejects.toThrow(ErrImageNeverPull);
      await expect(runtime.createAndStart(spec({ image: 'berth/other:1' }))).rejects.toThrow(CreateContainerError);

      let pulled = false;
      const pull = runtime.ensureImage('berth/other:1', 'IfNotPresent').then((result) => ((pulled = true), result));
      await cluster.scheduler.advance(1_999);
      expect(pulled).toBe(false);
      await cluster.scheduler.advance(1);
      expect(await pull).toMatchObject({ pulled: true });
      await expect(runtime.ensureImage('berth/other:1', 'Never')).resolves.toMatchObject({ pulled: false });
      await expect(runtime.createAndStart(spec({ image: 'berth/other:1' }))).resolves.toBeDefined();
    });

    it('Always falls back to a present image when the pull fails, unless told to be strict', async () => {
      cluster = manualCluster({ missingImages: ['nginx'] });
      const runtime = cluster.node('node-1', { preloadedImages: ['nginx:latest'] });
      const result = await runtime.ensureImage('nginx:latest', 'Always');
      expect(result.pulled).toBe(false);
      expect(result.pullError).toMatch(/repository does not exist/);
      const strict = manualCluster({ missingImages: ['nginx'], useLocalImageWhenAlwaysPullFails: false });
      try {
        await expect(strict.node('n', { preloadedImages: ['nginx:latest'] }).ensureImage('nginx', 'Always')).rejects.toThrow(ErrImagePull);
      } finally {
        strict.close();
      }
    });
  });

  describe('stop and remove', () => {
    it('a default container obeys SIGTERM at once (143); stop is idempotent; a missing one is ContainerNotFound', async () => {
      cluster = manualCluster();
      const runtime = cluster.node('node-1');
      const { containerId } = await runtime.createAndStart(spec());
      await runtime.stop(containerId, 30);
      expect(await runtime.inspect(containerId)).toMatchObject({ status: 'exited', exitCode: 143, exit: { reason: 'Error' } });
      expect((await runtime.inspect(containerId)).finishedAt).toEqual(new Date(T0));
      await expect(runtime.stop(containerId, 30)).resolves.toBeUndefined();
      await expect(runtime.stop('nope', 30)).rejects.toThrow(ContainerNotFound);
    });

    it('a container that ignores SIGTERM takes the whole grace period in simulated time and is SIGKILLed', async () => {
      cluster = manualCluster({ images: { 'berth/stubborn': { ignoresSigterm: true } } });
      const runtime = cluster.node('node-1');
      const { containerId } = await runtime.createAndStart(spec({ image: 'berth/stubborn' }));
      let stopped = false;
      const stopping = runtime.stop(containerId, 30).then(() => (stopped = true));
      await cluster.scheduler.advance(29_999);
      expect(stopped).toBe(false);
      expect((await runtime.inspect(containerId)).status).toBe('running');
      await cluster.scheduler.advance(1);
      await stopping;
      expect(stopped).toBe(true);
      const info = await runtime.inspect(containerId);
      expect(info).toMatchObject({ status: 'exited', exitCode: 137, oomKilled: false, exit: { reason: 'Error', exitCode: 137 } });
      expect(info.finishedAt).toEqual(new Date(T0 + 30_000));
    });

    it('a slow shutdown inside the grace period exits with stopExitCode; beyond it, SIGKILL; a shorter second stop wins', async () => {
      cluster = manualCluster({ behavior: { shutdownMs: 2_000, stopExitCode: 0 }, images: { 'berth/stubborn': { ignoresSigterm: true } } });
      const runtime = cluster.node('node-1');
      const graceful = await runtime.createAndStart(spec());
      const tooSlow = await runtime.createAndStart(spec());
      const stubborn = await runtime.createAndStart(spec({ image: 'berth/stubborn' }));
      const stops = [runtime.stop(graceful.containerId, 5), runtime.stop(tooSlow.containerId, 1), runtime.stop(stubborn.containerId, 60)];
      const forced = runtime.stop(stubborn.containerId, 3);
      await cluster.scheduler.advance(3_000);
      await Promise.all([...stops, forced]);
      expect(await runtime.inspect(graceful.containerId)).toMatchObject({ exitCode: 0, exit: { reason: 'Completed' }, finishedAt: new Date(T0 + 2_000) });
      expect(await runtime.inspect(tooSlow.containerId)).toMatchObject({ exitCode: 137, finishedAt: new Date(T0 + 1_000) });
      expect(await runtime.inspect(stubborn.containerId)).toMatchObject({ exitCode: 137, finishedAt: new Date(T0 + 3_000) });
    });

    it('grace 0 kills at once; HOLLOW_IGNORE_SIGTERM in env works like the image setting', async () => {
      cluster = manualCluster();
      const runtime = cluster.node('node-1');
      const now = await runtime.createAndStart(spec());
      await runtime.stop(now.containerId, 0);
      expect((await runtime.inspect(now.containerId)).exitCode).toBe(137);
      const stubborn = await runtime.createAndStart(spec({ env: { HOLLOW_IGNORE_SIGTERM: 'true' } }));
      const stopping = runtime.stop(stubborn.containerId, 10);
      await cluster.scheduler.advance(10_000);
      await stopping;
      expect((await runtime.inspect(stubborn.containerId)).finishedAt).toEqual(new Date(T0 + 10_000));
    });

    it('remove kills a running container (die 137, then destroy), finishes a pending stop, and ignores missing ids', async () => {
      cluster = manualCluster({ behavior: { ignoresSigterm: true } });
      const runtime = cluster.node('node-1');
      const subscription = await runtime.events();
      const { events, done } = collect(subscription);
      const { containerId } = await runtime.createAndStart(spec());
      const stopping = runtime.stop(containerId, 30);
      await runtime.remove(containerId);
      await stopping;
      await runtime.remove(containerId);
      await runtime.remove('never-existed');
      await cluster.scheduler.advance(0);
      subscription.close();
      await done;
      expect(events.map((event) => event.type)).toEqual(['start', 'die', 'destroy']);
      await expect(runtime.inspect(containerId)).rejects.toThrow(ContainerNotFound);
      expect(cluster.scheduler.pending).toBe(0);
    });

    it('remove before the start completes fails the pending createAndStart with RunContainerError', async () => {
      cluster = manualCluster({ behavior: { startMs: 1_000 } });
      const runtime = cluster.node('node-1');
      const pending = runtime.createAndStart(spec());
      const outcome = pending.catch((error: unknown) => error);
      await cluster.scheduler.advance(0);
      const [created] = await runtime.list();
      await runtime.remove(created.containerId);
      expect(await outcome).toBeInstanceOf(RunContainerError);
      await cluster.scheduler.advance(2_000);
      expect(await runtime.list()).toEqual([]);
    });
  });

  describe('exec', () => {
    it('succeeds by default and fails per image, command and age as configured', async () => {
      cluster = manualCluster({
        images: {
          'berth/sick': {
            exec: [
              { command: 'ready', exitCode: 1, output: 'not ready' },
              { command: ['cat', '/tmp/healthy'], afterMs: 5_000, exitCode: 1, output: 'no such file' },
            ],
          },
        },
      });
      const runtime = cluster.node('node-1');
      const healthy = await runtime.createAndStart(spec());
      const sick = await runtime.createAndStart(spec({ image: 'berth/sick:1' }));
      expect(await runtime.exec(healthy.containerId, ['cat', '/tmp/healthy'], 1_000)).toEqual({ exitCode: 0, output: '', timedOut: false });
      expect(await runtime.exec(sick.containerId, ['check', 'ready'], 1_000)).toEqual({ exitCode: 1, output: 'not ready', timedOut: false });
      expect((await runtime.exec(sick.containerId, ['cat', '/tmp/healthy'], 1_000)).exitCode).toBe(0);
      await cluster.scheduler.advance(5_000);
      expect(await runtime.exec(sick.containerId, ['cat', '/tmp/healthy'], 1_000)).toMatchObject({ exitCode: 1, output: 'no such file' });
    });

    it('a reconfigured image makes the probes of running containers fail (liveness failure on demand)', async () => {
      cluster = manualCluster();
      const runtime = cluster.node('node-1');
      const { containerId } = await runtime.createAndStart(spec({ image: 'berth/app:2' }));
      expect((await runtime.exec(containerId, ['true'], 1_000)).exitCode).toBe(0);
      cluster.configureImage('berth/app', { exec: [{ exitCode: 1 }] });
      expect((await runtime.exec(containerId, ['true'], 1_000)).exitCode).toBe(1);
      cluster.configureImage('berth/app', undefined);
      expect((await runtime.exec(containerId, ['true'], 1_000)).exitCode).toBe(0);
    });

    it('HOLLOW_EXEC_EXIT_CODE fails probes from HOLLOW_EXEC_AFTER_MS on', async () => {
      cluster = manualCluster();
      const runtime = cluster.node('node-1');
      const { containerId } = await runtime.createAndStart(spec({ env: { HOLLOW_EXEC_EXIT_CODE: '1', HOLLOW_EXEC_AFTER_MS: '10000' } }));
      expect((await runtime.exec(containerId, ['true'], 1_000)).exitCode).toBe(0);
      await cluster.scheduler.advance(10_000);
      expect((await runtime.exec(containerId, ['true'], 1_000)).exitCode).toBe(1);
    });

    it('a command slower than the timeout times out after the timeout, in simulated time', async () => {
      cluster = manualCluster({ behavior: { exec: [{ command: 'slow', durationMs: 5_000 }, { command: 'quick', durationMs: 200, output: 'ok' }] } });
      const runtime = cluster.node('node-1');
      const { containerId } = await runtime.createAndStart(spec());
      let result: unknown;
      const slow = runtime.exec(containerId, ['slow'], 1_000).then((r) => (result = r));
      await cluster.scheduler.advance(999);
      expect(result).toBeUndefined();
      await cluster.scheduler.advance(1);
      await slow;
      expect(result).toEqual({ exitCode: null, output: '', timedOut: true });
      const quick = runtime.exec(containerId, ['quick'], 1_000);
      await cluster.scheduler.advance(200);
      expect(await quick).toEqual({ exitCode: 0, output: 'ok', timedOut: false });
    });

    it('refuses to exec in a container that is not running', async () => {
      cluster = manualCluster();
      const runtime = cluster.node('node-1');
      const { containerId } = await runtime.createAndStart(spec());
      await runtime.stop(containerId, 0);
      await expect(runtime.exec(containerId, ['true'], 1_000)).rejects.toThrow(ContainerNotRunning);
      await expect(runtime.exec('nope', ['true'], 1_000)).rejects.toThrow(ContainerNotFound);
    });
  });

  describe('stats', () => {
    it('reports the simulated CPU and memory use: defaults, per image, per env, capped by the CPU limit', async () => {
      cluster = manualCluster({ images: { 'berth/busy': { cpuMilli: 500, memoryBytes: 100 * MiB } } });
      const runtime = cluster.node('node-1', { memoryBytes: 4 * 1024 * MiB });
      const idle = await runtime.createAndStart(spec());
      const busy = await runtime.createAndStart(spec({ image: 'berth/busy', memoryBytes: 256 * MiB }));
      const env = await runtime.createAndStart(spec({ image: 'berth/busy', env: { HOLLOW_CPU: '250m' } }));
      const capped = await runtime.createAndStart(spec({ image: 'berth/busy', cpuMilli: 200 }));

      expect(await runtime.stats(idle.containerId)).toEqual({ cpuPercent: 1, memoryBytes: 16 * MiB, memoryLimitBytes: 4 * 1024 * MiB, at: new Date(T0) });
      expect(await runtime.stats(busy.containerId)).toMatchObject({ cpuPercent: 50, memoryBytes: 100 * MiB, memoryLimitBytes: 256 * MiB });
      expect((await runtime.stats(env.containerId)).cpuPercent).toBe(25);
      expect((await runtime.stats(capped.containerId)).cpuPercent).toBe(20);

      await runtime.stop(busy.containerId, 0);
      expect(await runtime.stats(busy.containerId)).toMatchObject({ cpuPercent: 0, memoryBytes: 0, memoryLimitBytes: 256 * MiB });
      await expect(runtime.stats('nope')).rejects.toThrow(ContainerNotFound);
    });

    it('shares a deployment’s offered load among its running replicas across nodes, so scaling out lowers it', async () => {
      cluster = manualCluster();
      const a = cluster.node('node-a');
      const b = cluster.node('node-b');
      const replicas = [
        await a.createAndStart(spec({ node: 'node-a', deployment: 'api' })),
        await a.createAndStart(spec({ node: 'node-a', deployment: 'api' })),
        await b.createAndStart(spec({ node: 'node-b', deployment: 'api' })),
      ];
      const other = await b.createAndStart(spec({ node: 'node-b', deployment: 'web' }));
      cluster.setDeploymentLoad('default', 'api', 1_200);
      expect(cluster.runningReplicas('default', 'api')).toBe(3);
      expect((await a.stats(replicas[0].containerId)).cpuPercent).toBe(40);
      expect((await b.stats(replicas[2].containerId)).cpuPercent).toBe(40);
      expect((await b.stats(other.containerId)).cpuPercent).toBe(1);

      await a.stop(replicas[1].containerId, 0);
      expect((await a.stats(replicas[0].containerId)).cpuPercent).toBe(60);
      await a.createAndStart(spec({ node: 'node-a', deployment: 'api' }));
      await a.createAndStart(spec({ node: 'node-a', deployment: 'api' }));
      expect((await a.stats(replicas[0].containerId)).cpuPercent).toBe(30);
      cluster.setDeploymentLoad('default', 'api', undefined);
      expect((await a.stats(replicas[0].containerId)).cpuPercent).toBe(1);
    });

    it('jitters within the configured share, steady within a second', async () => {
      cluster = manualCluster({ statsJitter: 0.1, behavior: { cpuMilli: 1_000 } });
      const runtime = cluster.node('node-1');
      const { containerId } = await runtime.createAndStart(spec());
      const samples: number[] = [];
      for (let i = 0; i < 20; i++) {
        const first = await runtime.stats(containerId);
        expect((await runtime.stats(containerId)).cpuPercent).toBe(first.cpuPercent);
        samples.push(first.cpuPercent);
        await cluster.scheduler.advance(1_000);
      }
      expect(Math.min(...samples)).toBeGreaterThanOrEqual(90);
      expect(Math.max(...samples)).toBeLessThanOrEqual(110);
      expect(new Set(samples).size).toBeGreaterThan(5);
    });
  });

  describe('logs', () => {
    it('writes a start line, one line per interval and an exit line; honours tailLines, sinceSeconds and timestamps', async () => {
      cluster = manualCluster({ behavior: { logIntervalMs: 10_000, crash: { afterMs: 35_000, exitCode: 1 } } });
      const runtime = cluster.node('node-1');
      const { containerId, name } = await runtime.createAndStart(spec());
      await cluster.scheduler.advance(25_000);
      expect((await readLines(await runtime.logs(containerId))).map((l) => l.line)).toEqual([
        `hollow: started ${name} from berth/http:test`,
        'hollow: tick 1',
        'hollow: tick 2',
      ]);
      await cluster.scheduler.advance(20_000);
      const all = await readLines(await runtime.logs(containerId, { timestamps: true }));
      expect(all.map((l) => [l.stream, l.line, l.timestamp])).toEqual([
        ['stdout', `hollow: started ${name} from berth/http:test`, new Date(T0).toISOString()],
        ['stdout', 'hollow: tick 1', new Date(T0 + 10_000).toISOString()],
        ['stdout', 'hollow: tick 2', new Date(T0 + 20_000).toISOString()],
        ['stdout', 'hollow: tick 3', new Date(T0 + 30_000).toISOString()],
        ['stderr', 'hollow: exited with code 1', new Date(T0 + 35_000).toISOString()],
      ]);
      expect((await readLines(await runtime.logs(containerId, { tailLines: 2 }))).map((l) => l.line)).toEqual([
        'hollow: tick 3',
        'hollow: exited with code 1',
      ]);
      // Now T0+45s: the last 20 s hold tick 3 (T0+30s) and the exit line (T0+35s).
      expect((await readLines(await runtime.logs(containerId, { sinceSeconds: 20 }))).map((l) => l.line)).toEqual([
        'hollow: tick 3',
        'hollow: exited with code 1',
      ]);
      expect(await readLines(await runtime.logs(containerId, { sinceSeconds: 5 }))).toEqual([]);
      expect(await readLines(await runtime.logs(containerId, { tailLines: 0 }))).toEqual([]);
    });

    it('stops after limitBytes, cutting the last line', async () => {
      cluster = manualCluster({ behavior: { logIntervalMs: 1_000 } });
      const runtime = cluster.node('node-1');
      const { containerId } = await runtime.createAndStart(spec());
      await cluster.scheduler.advance(1_000_000);
      const lines = await readLines(await runtime.logs(containerId, { tailLines: 10, limitBytes: 40 }));
      // 17 + 17 bytes (with newlines) leave 6 for the third line.
      expect(lines.map((l) => l.line)).toEqual(['hollow: tick 991', 'hollow: tick 992', 'hollow']);

      // Without limitBytes and follow, 1 MiB bounds a long history (100,001 lines here).
      await cluster.scheduler.advance(99_000_000);
      const bounded = await readLines(await runtime.logs(containerId));
      const bytes = bounded.reduce((sum, l) => sum + Buffer.byteLength(l.line) + 1, 0);
      expect(bounded.length).toBeLessThan(100_001);
      expect(bytes).toBeLessThanOrEqual(1024 * 1024 + 1);
      expect(bytes).toBeGreaterThan(1024 * 1024 - 32);
    });

    it('follow streams new lines as simulated time passes and ends when the container exits', async () => {
      cluster = manualCluster({ behavior: { logIntervalMs: 1_000, startMs: 500 } });
      const runtime = cluster.node('node-1');
      const pending = runtime.createAndStart(spec());
      await cluster.scheduler.advance(0);
      const [created] = await runtime.list();
      const lines = readLines(await runtime.logs(created.containerId, { follow: true, tailLines: 5 }));
      await cluster.scheduler.advance(3_600);
      const { containerId } = await pending;
      await runtime.stop(containerId, 10);
      await cluster.scheduler.advance(0);
      expect((await lines).map((l) => l.line)).toEqual([
        expect.stringMatching(/^hollow: started/),
        'hollow: tick 1',
        'hollow: tick 2',
        'hollow: tick 3',
        'hollow: exited with code 143',
      ]);
      expect(cluster.scheduler.pending).toBe(0);
    });

    it('a destroyed follow stream leaves nothing scheduled; logs of a missing container is ContainerNotFound', async () => {
      cluster = manualCluster({ behavior: { logIntervalMs: 1_000 } });
      const runtime = cluster.node('node-1');
      const { containerId } = await runtime.createAndStart(spec());
      const stream = await runtime.logs(containerId, { follow: true });
      const first = await new Promise<LogLine>((resolve) => stream.once('data', resolve));
      expect(first.line).toMatch(/started/);
      expect(cluster.scheduler.pending).toBe(1);
      stream.destroy();
      await cluster.scheduler.advance(0);
      expect(cluster.scheduler.pending).toBe(0);
      await expect(runtime.logs('nope')).rejects.toThrow(ContainerNotFound);
    });
  });

  describe('cluster lifecycle', () => {
    it('removeNode drops a node and its containers; its runtime then answers RuntimeUnavailable', async () => {
      cluster = manualCluster({ behavior: { crash: { afterMs: 60_000 } } });
      const gone = cluster.node('gone');
      const kept = cluster.node('kept');
      await gone.createAndStart(spec({ node: 'gone', deployment: 'api' }));
      await kept.createAndStart(spec({ node: 'kept', deployment: 'api' }));
      expect(cluster.node('kept')).toBe(kept);
      expect(cluster.removeNode('gone')).toBe(true);
      expect(cluster.removeNode('gone')).toBe(false);
      expect(cluster.nodeNames).toEqual(['kept']);
      expect(cluster.runningReplicas('default', 'api')).toBe(1);
      await expect(gone.list()).rejects.toThrow(RuntimeUnavailable);
      expect(cluster.summary()).toMatchObject({ nodes: 1, containers: 1, running: 1 });
    });

    it('close() rejects pending starts and ends event subscriptions', async () => {
      cluster = manualCluster({ behavior: { startMs: 1_000 } });
      const runtime = cluster.node('node-1');
      const subscription = await runtime.events();
      const { done } = collect(subscription);
      const pending = runtime.createAndStart(spec()).catch((error: unknown) => error);
      await cluster.scheduler.advance(0);
      cluster.close();
      expect(await pending).toBeInstanceOf(RuntimeUnavailable);
      await done;
      expect(() => cluster.node('another')).toThrow(/closed/);
    });
  });
});
