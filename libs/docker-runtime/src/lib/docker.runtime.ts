import Dockerode from 'dockerode';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type {
  ContainerFilter,
  ContainerInfo,
  ContainerPortSpec,
  ContainerRuntime,
  ContainerSpec,
  ContainerStats,
  EnsureImageResult,
  EventsOptions,
  ExecResult,
  HostPortRange,
  LogOptions,
  PublishedPort,
  PullPolicy,
  RuntimeEvent,
  RuntimeEventSubscription,
  StartedContainer,
} from './container-runtime';
import { toContainerInfo, hostPortMap, type EngineContainerInspect } from './container-info';
import { validateSpec } from './container-spec.validation';
import { DockerEventSubscription } from './docker-events';
import { computeStats, type EngineStatsSample } from './docker-stats';
import { demuxLines, FrameDecoder } from './docker-stream';
import { engineMessage, engineStatus, isEngineUnreachable, translateEngineError } from './engine-error';
import { DEFAULT_HOST_PORT_RANGE, HostPortAllocator, PortTable, validateRange } from './host-port-allocator';
import { parseImageReference } from './image-reference';
import { BERTH_LABELS, berthLabels, engineContainerName, hostnameFor, labelFilters } from './labels';
import { portSignature, SandboxPool, type PortSignature, type Sandbox } from './sandbox-pool';
import {
  ContainerNotRunning,
  ContainerRuntimeError,
  CreateContainerConfigError,
  CreateContainerError,
  ErrImageNeverPull,
  ErrImagePull,
  HostPortsUnavailable,
  RunContainerError,
  RuntimeUnavailable,
} from './runtime.errors';

export interface DockerRuntimeOptions {
  /** Default: a client for DOCKER_HOST or /var/run/docker.sock. */
  docker?: Dockerode;
  /** Used when a spec names none. Default 20000-29999 (clear of the NodePort range 30000-32767). */
  hostPortRange?: HostPortRange;
  /** Fresh host ports tried after the engine refuses one (held by something outside Berth). Default 5. */
  portRetries?: number;
  /** Default 5 minutes. */
  pullTimeoutMs?: number;
  /**
   * Policy Always on a host that cannot reach a registry: use the local copy when the pull fails
   * (Swarm's behaviour; the seed example's nginx:latest defaults to Always). Default true.
   */
  useLocalImageWhenAlwaysPullFails?: boolean;
  /** json-file log rotation, so a chatty container cannot fill the disk. */
  logMaxSize?: string;
  logMaxFiles?: number;
  /** Exec probe output kept. Default 16 KiB. */
  execOutputLimitBytes?: number;
  /** How long the engine's published-port snapshot is trusted. Default 10 s. */
  portSnapshotTtlMs?: number;
  allocator?: HostPortAllocator;
  /** Docker network the containers join (a bridge network; see inspectContainerNetwork). Default: the engine's default bridge. */
  network?: string;
  /** The node this runtime serves: the sandboxes it makes are labelled with it, and sweepSandboxes() looks only at its own. */
  node?: string;
  /** Opt-in pool of network sandboxes (see SandboxPoolSettings); needs `node`. Default: off. */
  sandboxPool?: SandboxPoolSettings;
  /** sweepSandboxes() leaves sandboxes made since this runtime started alone for this long: their creator may not have recorded them yet. Default 60 s. */
  sandboxSweepMinAgeMs?: number;
}

export interface SandboxPoolSettings {
  /** Ready sandboxes kept per port signature; 0 = off. */
  size: number;
  /** A local image whose entry sleeps until SIGTERM (tools/images: berth/pause:test). */
  image: string;
  /** Sandboxes created at once while refilling. Default 2. */
  concurrency?: number;
  /** How often sandboxes nobody uses are looked for and removed. Default 60 s. */
  sweepIntervalMs?: number;
  /** A refill or sweep failed (the pool carries on; replicas take the normal path meanwhile). */
  onError?: (what: string, error: unknown) => void;
}

const MiB = 1024 * 1024;
const DEFAULT_LOG_LIMIT_BYTES = MiB;
const INSPECT_CONCURRENCY = 16;
const PORT_CONFLICT = /port is already allocated|address already in use/i;
const CONFLICT_PORT = [/Bind for \S*?:(\d+) failed/, /listen \w+ \S*?:(\d+):/];

interface OwnedPorts {
  hostIp: string;
  ports: number[];
  /** The sandbox whose network (and host ports) the container uses. */
  sandboxId?: string;
}

const TRUE = 'true';

/** The node-agent's driver for a real Docker engine. Safe for concurrent calls. */
export class DockerRuntime implements ContainerRuntime {
  private readonly docker: Dockerode;
  private readonly allocator: HostPortAllocator;
  private readonly defaultRange: HostPortRange;
  private readonly portRetries: number;
  private readonly pullTimeoutMs: number;
  private readonly localFallback: boolean;
  private readonly logConfig: { Type: string; Config: Record<string, string> };
  private readonly execOutputLimit: number;
  private readonly snapshotTtlMs: number;
  private readonly network?: string;
  private readonly owned = new Map<string, OwnedPorts>();
  private readonly pulls = new Map<string, Promise<void>>();
  private snapshot?: { at: number; table: Promise<PortTable> };
  private readonly node?: string;
  private readonly pool?: SandboxPool;
  private readonly poolSettings?: SandboxPoolSettings;
  /** Sandboxes this runtime created and has not removed yet (spares, being handed out, or in use). */
  private readonly mine = new Set<string>();
  /** Published ports of sandboxes, which never change: a pooled replica reports its sandbox's. */
  private readonly sandboxPorts = new Map<string, PublishedPort[]>();
  private sweepTimer?: NodeJS.Timeout;
  /** Sandbox removals remove() left running; closeSandboxes() waits for them. */
  private readonly removals = new Set<Promise<void>>();
  /** Replica starts and removals in flight: the pool refills only when there are none. */
  private foreground = 0;
  private readonly sweepMinAgeMs: number;
  private readonly bornAt = Date.now();

  constructor(options: DockerRuntimeOptions = {}) {
    this.docker = options.docker ?? new Dockerode();
    this.allocator = options.allocator ?? new HostPortAllocator();
    this.defaultRange = options.hostPortRange ?? DEFAULT_HOST_PORT_RANGE;
    validateRange(this.defaultRange);
    this.portRetries = options.portRetries ?? 5;
    this.pullTimeoutMs = options.pullTimeoutMs ?? 5 * 60_000;
    this.localFallback = options.useLocalImageWhenAlwaysPullFails ?? true;
    this.logConfig = {
      Type: 'json-file',
      Config: { 'max-size': options.logMaxSize ?? '10m', 'max-file': String(options.logMaxFiles ?? 3) },
    };
    this.execOutputLimit = options.execOutputLimitBytes ?? 16 * 1024;
    this.snapshotTtlMs = options.portSnapshotTtlMs ?? 10_000;
    this.network = options.network;
    this.node = options.node;
    this.sweepMinAgeMs = options.sandboxSweepMinAgeMs ?? 60_000;
    this.poolSettings = options.sandboxPool;
    if (options.sandboxPool && options.sandboxPool.size > 0) {
      if (!options.node) throw new Error('DockerRuntime: sandboxPool needs the node option (sandboxes are labelled with it)');
      if (!options.sandboxPool.image) throw new Error('DockerRuntime: sandboxPool.image is required');
      this.pool = new SandboxPool({
        size: options.sandboxPool.size,
        concurrency: options.sandboxPool.concurrency ?? 2,
        make: (signature) => this.makeSandbox(signature),
        destroy: (sandbox) => this.removeSandbox(sandbox.id, sandbox),
        onError: (signature, error) => options.sandboxPool?.onError?.(`sandbox for ${signature}`, error),
        busy: () => this.foreground > 0,
      });
    }
  }

  /** Sandbox upkeep: removes the unused ones a previous run left now, then every sweep interval. Returns how many the first sweep removed. */
  async startSandboxes(): Promise<number> {
    const removed = await this.sweepSandboxes();
    if (this.node && !this.sweepTimer) {
      const every = this.poolSettings?.sweepIntervalMs ?? 60_000;
      this.sweepTimer = setInterval(() => {
        this.sweepSandboxes().catch((error: unknown) => this.poolSettings?.onError?.('sandbox sweep', error));
      }, every);
      this.sweepTimer.unref();
    }
    const image = this.poolSettings?.image;
    if (this.pool && image && !(await this.localImageId(parseImageReference(image).normalized))) {
      await this.pool.close();
      throw new Error(`sandbox image "${image}" is not on this engine (build it with tools/images/build-images.sh); the sandbox pool is off`);
    }
    return removed;
  }

  /** Stops refilling and removes the spare sandboxes (those in use stay with their replicas). */
  async closeSandboxes(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    await this.pool?.close();
    await Promise.allSettled([...this.removals]);
  }

  /** Spare sandboxes ready now, over all signatures; 0 when the pool is off. */
  spareSandboxes(): number {
    return this.pool?.spareCount() ?? 0;
  }

  /** Resolves when the pool has no refill and no sandbox removal in flight. */
  async sandboxesSettled(): Promise<void> {
    await this.pool?.idle();
    await Promise.allSettled([...this.removals]);
  }

  /**
   * Removes this node's sandboxes that no replica container names (spares of an earlier run,
   * sandboxes whose replica was removed behind Berth's back) and spares that died. Works with
   * the pool off too, so turning it off cleans up after it.
   */
  async sweepSandboxes(): Promise<number> {
    if (!this.node) return 0;
    let sandboxes: Dockerode.ContainerInfo[];
    let containers: Dockerode.ContainerInfo[];
    try {
      const node = `${BERTH_LABELS.node}=${this.node}`;
      sandboxes = await this.docker.listContainers({ all: true, filters: { label: [`${BERTH_LABELS.managed}=true`, `${BERTH_LABELS.sandbox}=true`, node] } });
      containers = await this.docker.listContainers({ all: true, filters: { label: [`${BERTH_LABELS.managed}=true`, node] } });
    } catch (error) {
      throw translateEngineError(error);
    }
    const referenced = new Set(containers.map((c) => c.Labels?.[BERTH_LABELS.sandboxId]).filter((id): id is string => !!id));
    const now = Date.now();
    const doomed: { id: string; sandbox?: Sandbox }[] = [];
    for (const summary of sandboxes) {
      const id = summary.Id;
      if (this.pool?.isSpare(id)) {
        if (summary.State !== 'running') doomed.push({ id, sandbox: this.pool.drop(id) });
        continue;
      }
      // Those of an earlier run go at once; one made since may be this runtime's, its create call not yet answered.
      const created = summary.Created * 1000;
      const young = created >= this.bornAt - 1_000 && now - created < this.sweepMinAgeMs;
      if (this.mine.has(id) || referenced.has(id) || young) continue;
      doomed.push({ id });
    }
    await mapConcurrently(doomed, 4, ({ id, sandbox }) => this.removeSandbox(id, sandbox).catch(() => undefined));
    return doomed.length;
  }

  async ensureImage(image: string, pullPolicy: PullPolicy): Promise<EnsureImageResult> {
    const ref = parseImageReference(image).normalized;
    if (pullPolicy === 'Always') {
      try {
        await this.pull(ref);
      } catch (error) {
        const local = this.localFallback && error instanceof ErrImagePull ? await this.localImageId(ref) : undefined;
        if (!local) throw error;
        return { image: ref, imageId: local, pulled: false, pullError: (error as ErrImagePull).engineMessage };
      }
      return { image: ref, imageId: await this.requireLocalImage(ref), pulled: true };
    }
    const local = await this.localImageId(ref);
    if (local) return { image: ref, imageId: local, pulled: false };
    if (pullPolicy === 'Never') throw new ErrImageNeverPull(image);
    await this.pull(ref);
    return { image: ref, imageId: await this.requireLocalImage(ref), pulled: true };
  }

  async createAndStart(spec: ContainerSpec): Promise<StartedContainer> {
    this.foreground++;
    try {
      return await this.createAndStartNow(spec);
    } finally {
      this.foreground--;
    }
  }

  private async createAndStartNow(spec: ContainerSpec): Promise<StartedContainer> {
    const image = parseImageReference(spec.image).normalized;
    const range = spec.hostPortRange ?? this.defaultRange;
    validateSpec(spec, range);
    const name = engineContainerName(spec);
    const declared = spec.ports ?? [];
    if (this.pool) {
      const sandbox = this.pool.take(portSignature(spec.hostIp, range, declared));
      const started = sandbox ? await this.startInSandbox(spec, name, image, sandbox) : undefined;
      if (started) return started;
    }
    const started = await this.startPublishing(spec.hostIp, range, declared, (published) => this.createOptions(spec, name, image, published));
    this.owned.set(started.containerId, { hostIp: spec.hostIp, ports: started.hostPorts });
    return { containerId: started.containerId, name, hostPorts: hostPortMap(started.published), ports: started.published };
  }

  /** Allocates host ports, creates and starts; on a port the engine refuses, tries fresh ones. Reserved ports stay with the container. */
  private async startPublishing(
    hostIp: string,
    range: HostPortRange,
    declared: ContainerPortSpec[],
    options: (published: PublishedPort[]) => Dockerode.ContainerCreateOptions,
    created?: (containerId: string) => void,
  ): Promise<{ containerId: string; published: PublishedPort[]; hostPorts: number[] }> {
    let lastRefusal: string | undefined;
    for (let attempt = 0; ; attempt++) {
      const engine = declared.length ? await this.enginePorts() : undefined;
      let hostPorts: number[];
      try {
        hostPorts = this.allocator.allocate(hostIp, range, declared.length, (port) => engine?.has(hostIp, port) ?? false);
      } catch (error) {
        if (error instanceof HostPortsUnavailable && lastRefusal && !error.message.includes(lastRefusal)) {
          throw new HostPortsUnavailable(`${error.message}; last refusal: ${lastRefusal}`, lastRefusal);
        }
        throw error;
      }
      const published: PublishedPort[] = declared.map((port, i) => ({
        name: port.name,
        containerPort: port.containerPort,
        protocol: port.protocol ?? 'TCP',
        hostIp,
        hostPort: hostPorts[i],
      }));

      let containerId: string;
      try {
        containerId = (await this.docker.createContainer(options(published))).id;
      } catch (error) {
        this.allocator.release(hostIp, hostPorts);
        throw createError(error);
      }
      created?.(containerId);

      try {
        await this.docker.getContainer(containerId).start();
      } catch (error) {
        await this.discard(containerId);
        this.allocator.release(hostIp, hostPorts);
        const message = engineMessage(error);
        if (!PORT_CONFLICT.test(message)) {
          throw isEngineUnreachable(error) ? translateEngineError(error) : new RunContainerError(message, message);
        }
        lastRefusal = message;
        const refused = refusedPort(message);
        for (const port of refused !== undefined ? [refused] : hostPorts) this.allocator.block(hostIp, port, message);
        this.snapshot = undefined;
        if (attempt >= this.portRetries) {
          throw new HostPortsUnavailable(`host ports on ${hostIp} refused ${attempt + 1} times; last: ${message}`, message);
        }
        continue;
      }
      return { containerId, published, hostPorts };
    }
  }

  /**
   * Runs the replica in a spare sandbox's network namespace: no network set-up on this path.
   * Undefined (both containers gone) when that fails, e.g. a dead spare; the caller then takes the normal path.
   */
  private async startInSandbox(spec: ContainerSpec, name: string, image: string, sandbox: Sandbox): Promise<StartedContainer | undefined> {
    const published: PublishedPort[] = [];
    for (const port of spec.ports ?? []) {
      const protocol = port.protocol ?? 'TCP';
      const bound = sandbox.ports.find((p) => p.containerPort === port.containerPort && p.protocol === protocol);
      if (!bound) {
        await this.removeSandbox(sandbox.id, sandbox).catch(() => undefined);
        return undefined;
      }
      published.push({ name: port.name, containerPort: port.containerPort, protocol, hostIp: sandbox.hostIp, hostPort: bound.hostPort });
    }
    let containerId: string | undefined;
    try {
      containerId = (await this.docker.createContainer(this.createOptions(spec, name, image, [], sandbox.id))).id;
      await this.docker.getContainer(containerId).start();
    } catch (error) {
      if (containerId) await this.discard(containerId);
      await this.removeSandbox(sandbox.id, sandbox).catch(() => undefined);
      this.poolSettings?.onError?.(`replica ${spec.replicaUid} in sandbox ${sandbox.id.slice(0, 12)} (falling back to its own network)`, error);
      return undefined;
    }
    this.owned.set(containerId, { hostIp: sandbox.hostIp, ports: sandbox.ports.map((p) => p.hostPort), sandboxId: sandbox.id });
    return { containerId, name, hostPorts: hostPortMap(published), ports: published };
  }

  private async makeSandbox(signature: PortSignature): Promise<Sandbox> {
    const node = this.node ?? 'node';
    const suffix = randomBytes(4).toString('hex');
    const started = await this.startPublishing(
      signature.hostIp,
      signature.range,
      signature.ports,
      (published) => this.sandboxOptions(`berth-sandbox-${node}-${suffix}`, hostnameFor(`${node}-${suffix}`), signature.key, published),
      (id) => this.mine.add(id),
    );
    this.sandboxPorts.set(started.containerId, started.published);
    return { id: started.containerId, signature: signature.key, hostIp: signature.hostIp, ports: started.published };
  }

  /** Force-removes a sandbox and gives back its host ports (the spare's, or those its replica held). */
  private async removeSandbox(sandboxId: string, spare?: Sandbox): Promise<void> {
    try {
      await this.removeContainer(sandboxId);
    } finally {
      // Removed, or left to the sweep (which skips the sandboxes of this runtime).
      this.mine.delete(sandboxId);
    }
    this.sandboxPorts.delete(sandboxId);
    if (spare) this.allocator.release(spare.hostIp, spare.ports.map((p) => p.hostPort));
  }

  private async removeContainer(containerId: string): Promise<void> {
    try {
      await this.docker.getContainer(containerId).remove({ force: true, v: true });
    } catch (error) {
      const status = engineStatus(error);
      const alreadyGoing = status === 409 && /already in progress/i.test(engineMessage(error));
      if (status !== 404 && !alreadyGoing) throw translateEngineError(error, containerId);
    }
  }

  /** The sandbox a container joined (its label), for a container this runtime did not start. */
  private async sandboxOf(containerId: string): Promise<string | undefined> {
    const owned = this.owned.get(containerId);
    if (owned) return owned.sandboxId;
    try {
      const raw = (await this.docker.getContainer(containerId).inspect()) as unknown as EngineContainerInspect;
      return raw.Config.Labels?.[BERTH_LABELS.sandboxId] || undefined;
    } catch (error) {
      if (engineStatus(error) === 404) return undefined;
      throw translateEngineError(error, containerId);
    }
  }

  /** The sandbox's network is gone, so its replica is cut off: kill it, and the agent sees an exit. */
  private async sandboxDied(sandboxId: string): Promise<void> {
    if (this.pool?.isSpare(sandboxId)) {
      await this.removeSandbox(sandboxId, this.pool.drop(sandboxId));
      return;
    }
    const users = await this.docker.listContainers({ filters: { label: [`${BERTH_LABELS.sandboxId}=${sandboxId}`], status: ['running'] } });
    await Promise.all(users.map((c) => this.killQuietly(c.Id)));
  }

  /** A pooled replica container is gone (perhaps removed behind Berth's back): its sandbox goes too. */
  private async replicaDestroyed(containerId: string, sandboxId: string): Promise<void> {
    await this.removeSandbox(sandboxId);
    this.releaseOwned(containerId);
  }

  private async killQuietly(containerId: string): Promise<void> {
    try {
      await this.docker.getContainer(containerId).kill();
    } catch {
      // Already stopped or gone: nothing is cut off any more.
    }
  }

  async stop(containerId: string, gracePeriodSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(containerId).stop({ t: Math.max(0, Math.ceil(gracePeriodSeconds)) });
    } catch (error) {
      if (engineStatus(error) === 304) return;
      throw translateEngineError(error, containerId);
    }
  }

  async remove(containerId: string): Promise<void> {
    this.foreground++;
    try {
      const sandboxId = await this.sandboxOf(containerId);
      await this.removeContainer(containerId);
      if (!sandboxId) {
        this.releaseOwned(containerId);
        return;
      }
      // A sandbox serves one replica container: it goes with it, never back to the pool. Its removal
      // tears its network down (the slow part), so it runs after this returns, off the caller's path.
      const removal = this.removeSandbox(sandboxId)
        .then(() => this.releaseOwned(containerId))
        .catch((error: unknown) => this.poolSettings?.onError?.(`sandbox ${sandboxId.slice(0, 12)} removal (the sweep retries)`, error))
        .finally(() => this.removals.delete(removal));
      this.removals.add(removal);
    } finally {
      this.foreground--;
    }
  }

  async list(filter: ContainerFilter = {}): Promise<ContainerInfo[]> {
    let summaries: Dockerode.ContainerInfo[];
    try {
      summaries = await this.docker.listContainers({ all: true, filters: { label: labelFilters(filter) } });
    } catch (error) {
      throw translateEngineError(error);
    }
    const sandboxes = new Map(summaries.filter(isSandbox).map((s) => [s.Id, s]));
    // Sandboxes carry only the node label: when the filter names more, their absence means nothing.
    const sandboxesListed = filter.replicaUid === undefined && filter.deployment === undefined && filter.namespace === undefined;
    const replicas = summaries.filter((s) => !isSandbox(s));
    const cutOff = replicas.filter((s) => {
      const sandboxId = s.Labels?.[BERTH_LABELS.sandboxId];
      if (!sandboxId || s.State !== 'running' || !sandboxesListed) return false;
      return sandboxes.get(sandboxId)?.State !== 'running';
    });
    await Promise.all(cutOff.map((s) => this.killQuietly(s.Id)));
    const infos = await mapConcurrently(replicas, INSPECT_CONCURRENCY, async (summary) => {
      try {
        return await this.inspect(summary.Id);
      } catch (error) {
        if (error instanceof ContainerRuntimeError && error.reason === 'ContainerNotFound') return undefined;
        throw error;
      }
    });
    return infos.filter((info): info is ContainerInfo => info !== undefined);
  }

  async inspect(containerId: string): Promise<ContainerInfo> {
    try {
      const raw = await this.docker.getContainer(containerId).inspect();
      const info = toContainerInfo(raw as unknown as EngineContainerInspect);
      const sandboxId = info.labels[BERTH_LABELS.sandboxId];
      if (sandboxId) {
        info.ports = await this.portsOfSandbox(sandboxId);
        info.hostPorts = hostPortMap(info.ports);
      }
      return info;
    } catch (error) {
      throw translateEngineError(error, containerId);
    }
  }

  /** A pooled replica publishes nothing itself: its ports are its sandbox's. */
  private async portsOfSandbox(sandboxId: string): Promise<PublishedPort[]> {
    let ports = this.sandboxPorts.get(sandboxId);
    if (!ports) {
      try {
        ports = toContainerInfo((await this.docker.getContainer(sandboxId).inspect()) as unknown as EngineContainerInspect).ports;
      } catch (error) {
        if (engineStatus(error) === 404) return [];
        throw error;
      }
      this.sandboxPorts.set(sandboxId, ports);
    }
    return ports.map((p) => ({ ...p }));
  }

  async exec(containerId: string, command: string[], timeoutMs: number): Promise<ExecResult> {
    const container = this.docker.getContainer(containerId);
    let exec: Dockerode.Exec;
    let stream: NodeJS.ReadableStream & { destroy?: () => void };
    try {
      exec = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true, Tty: false });
      stream = await exec.start({ hijack: true, stdin: false });
    } catch (error) {
      if (engineStatus(error) === 409) throw new ContainerNotRunning(containerId, engineMessage(error));
      throw translateEngineError(error, containerId);
    }
    const decoder = new FrameDecoder();
    const kept: Buffer[] = [];
    let keptBytes = 0;
    const keep = (data: Buffer): void => {
      const room = this.execOutputLimit - keptBytes;
      if (room <= 0) return;
      kept.push(data.subarray(0, room));
      keptBytes += Math.min(room, data.length);
    };
    const finished = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      stream.on('data', (chunk: Buffer) => decoder.push(chunk).forEach((piece) => keep(piece.data)));
      stream.once('end', done);
      stream.once('close', done);
      stream.once('error', done);
    });
    decoder.end().forEach((piece) => keep(piece.data));
    const output = Buffer.concat(kept).toString('utf8');
    if (!finished) {
      // The engine cannot cancel an exec: the process runs on, but the probe has its answer.
      stream.destroy?.();
      return { exitCode: null, output, timedOut: true };
    }
    return { exitCode: await exitCodeOf(exec), output, timedOut: false };
  }

  async stats(containerId: string): Promise<ContainerStats> {
    try {
      // stream=false waits for two samples, so precpu is filled and CPU % is meaningful.
      const sample = await this.docker.getContainer(containerId).stats({ stream: false });
      return computeStats(sample as unknown as EngineStatsSample);
    } catch (error) {
      throw translateEngineError(error, containerId);
    }
  }

  async logs(containerId: string, options: LogOptions = {}): Promise<Readable> {
    const follow = options.follow ?? false;
    const query: Dockerode.ContainerLogsOptions = { stdout: true, stderr: true, timestamps: options.timestamps ?? false };
    if (options.tailLines !== undefined) query.tail = options.tailLines;
    if (options.sinceSeconds !== undefined) query.since = Math.floor(Date.now() / 1000 - options.sinceSeconds);
    const container = this.docker.getContainer(containerId);
    let source: (AsyncIterable<Buffer> | Iterable<Buffer>) & { destroy?: () => void };
    try {
      source = follow
        ? ((await container.logs({ ...query, follow: true })) as unknown as Readable)
        : [await container.logs({ ...query, follow: false })];
    } catch (error) {
      throw translateEngineError(error, containerId);
    }
    const limitBytes = options.limitBytes ?? (follow ? undefined : DEFAULT_LOG_LIMIT_BYTES);
    const lines = Readable.from(demuxLines(source, { limitBytes, timestamps: options.timestamps }), { objectMode: true });
    // A follow stream idle on the engine side would otherwise outlive its reader.
    lines.once('close', () => source.destroy?.());
    return lines;
  }

  async events(options: EventsOptions = {}): Promise<RuntimeEventSubscription> {
    const query: Dockerode.GetEventsOptions = {
      filters: JSON.stringify({ type: ['container'], event: ['start', 'die', 'oom', 'destroy'], label: labelFilters(options) }),
    };
    if (options.since) query.since = Math.floor(options.since.getTime() / 1000);
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.getEvents(query);
    } catch (error) {
      throw translateEngineError(error);
    }
    const subscription = new DockerEventSubscription(stream, async (id) => (await this.docker.getContainer(id).inspect()).State.OOMKilled);
    return new WithoutSandboxes(
      subscription,
      (sandboxId) => {
        this.sandboxDied(sandboxId).catch((error: unknown) => this.poolSettings?.onError?.(`sandbox ${sandboxId.slice(0, 12)} exit`, error));
      },
      (containerId, sandboxId) => {
        this.replicaDestroyed(containerId, sandboxId).catch((error: unknown) => this.poolSettings?.onError?.(`sandbox ${sandboxId.slice(0, 12)} removal`, error));
      },
    );
  }

  /** sandboxId: join that sandbox's network namespace (no hostname, no ports of its own: the engine refuses both). */
  private createOptions(spec: ContainerSpec, name: string, image: string, published: PublishedPort[], sandboxId?: string): Dockerode.ContainerCreateOptions {
    const { exposed, bindings } = portBindings(published);
    const labels = berthLabels(spec);
    if (sandboxId) labels[BERTH_LABELS.sandboxId] = sandboxId;
    return {
      name,
      Hostname: sandboxId ? undefined : hostnameFor(spec.name),
      Image: image,
      // Kubernetes: command replaces ENTRYPOINT (and so drops the image CMD), args replace CMD.
      Entrypoint: spec.command?.length ? spec.command : undefined,
      Cmd: spec.args?.length ? spec.args : undefined,
      Env: Object.entries(spec.env ?? {}).map(([key, value]) => `${key}=${value}`),
      Labels: labels,
      ExposedPorts: sandboxId ? undefined : exposed,
      HostConfig: {
        PortBindings: sandboxId ? undefined : bindings,
        NanoCpus: spec.cpuMilli ? Math.round(spec.cpuMilli * 1e6) : undefined,
        Memory: spec.memoryBytes,
        // Swap capped at the limit: exceeding memory is an OOM kill, not a slow swap.
        MemorySwap: spec.memoryBytes,
        // The agent owns restarts (backoff, new attempts), not the engine.
        RestartPolicy: { Name: 'no' },
        LogConfig: this.logConfig,
        ...(sandboxId ? { NetworkMode: `container:${sandboxId}` } : this.network ? { NetworkMode: this.network } : {}),
      },
    };
  }

  private sandboxOptions(name: string, hostname: string | undefined, signature: string, published: PublishedPort[]): Dockerode.ContainerCreateOptions {
    const { exposed, bindings } = portBindings(published);
    return {
      name,
      Hostname: hostname,
      Image: this.poolSettings?.image,
      Labels: {
        [BERTH_LABELS.managed]: TRUE,
        [BERTH_LABELS.sandbox]: TRUE,
        [BERTH_LABELS.node]: this.node ?? '',
        [BERTH_LABELS.sandboxSignature]: signature,
      },
      ExposedPorts: exposed,
      HostConfig: {
        PortBindings: bindings,
        RestartPolicy: { Name: 'no' },
        LogConfig: this.logConfig,
        ...(this.network ? { NetworkMode: this.network } : {}),
      },
    };
  }

  private pull(ref: string): Promise<void> {
    let pending = this.pulls.get(ref);
    if (!pending) {
      pending = this.pullOnce(ref).finally(() => this.pulls.delete(ref));
      this.pulls.set(ref, pending);
    }
    return pending;
  }

  private async pullOnce(ref: string): Promise<void> {
    let stream: NodeJS.ReadableStream & { destroy?: () => void };
    try {
      stream = await this.docker.pull(ref);
    } catch (error) {
      throw isEngineUnreachable(error) ? translateEngineError(error) : new ErrImagePull(ref, engineMessage(error));
    }
    await new Promise<void>((resolve, reject) => {
      let failure: string | undefined;
      const timer = setTimeout(() => {
        stream.destroy?.();
        reject(new ErrImagePull(ref, `pull did not finish within ${this.pullTimeoutMs} ms`));
      }, this.pullTimeoutMs);
      this.docker.modem.followProgress(
        stream,
        (error: Error | null) => {
          clearTimeout(timer);
          if (error || failure) reject(new ErrImagePull(ref, failure ?? engineMessage(error)));
          else resolve();
        },
        // The engine reports a failed pull inside a 200 stream, which followProgress does not treat as an error.
        (event: { error?: string; errorDetail?: { message?: string } }) => {
          if (event.error) failure = event.errorDetail?.message ?? event.error;
        },
      );
    });
  }

  private async localImageId(ref: string): Promise<string | undefined> {
    try {
      return (await this.docker.getImage(ref).inspect()).Id;
    } catch (error) {
      if (engineStatus(error) === 404) return undefined;
      throw translateEngineError(error);
    }
  }

  private async requireLocalImage(ref: string): Promise<string> {
    const id = await this.localImageId(ref);
    if (!id) throw new ErrImagePull(ref, 'image not present after a successful pull');
    return id;
  }

  private enginePorts(): Promise<PortTable> {
    const now = Date.now();
    if (!this.snapshot || now - this.snapshot.at > this.snapshotTtlMs) {
      const table = this.docker.listContainers({ all: false }).then(
        (containers) => {
          const ports = new PortTable();
          for (const container of containers) {
            for (const port of container.Ports ?? []) if (port.PublicPort) ports.add(port.IP ?? '', port.PublicPort);
          }
          return ports;
        },
        (error: unknown) => {
          this.snapshot = undefined;
          throw translateEngineError(error);
        },
      );
      this.snapshot = { at: now, table };
    }
    return this.snapshot.table;
  }

  /** Removes a container that failed to start; a second try covers a transient engine hiccup. */
  private async discard(containerId: string): Promise<void> {
    for (let i = 0; i < 2; i++) {
      try {
        await this.docker.getContainer(containerId).remove({ force: true, v: true });
        return;
      } catch (error) {
        if (engineStatus(error) === 404) return;
      }
    }
  }

  private releaseOwned(containerId: string): void {
    const owned = this.owned.get(containerId);
    if (!owned) return;
    this.allocator.release(owned.hostIp, owned.ports);
    this.owned.delete(containerId);
    // The cached engine snapshot still shows these ports in use; without this, a port freed here stays unusable until it expires.
    void this.snapshot?.table.then((table) => owned.ports.forEach((port) => table.delete(owned.hostIp, port))).catch(() => undefined);
  }
}


function portBindings(published: PublishedPort[]): { exposed: Record<string, object>; bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> } {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const port of published) {
    const key = `${port.containerPort}/${port.protocol.toLowerCase()}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: port.hostIp, HostPort: String(port.hostPort) });
  }
  return { exposed, bindings };
}

function isSandbox(summary: Dockerode.ContainerInfo): boolean {
  return summary.Labels?.[BERTH_LABELS.sandbox] === TRUE;
}

/** Runtime events of replicas only; a sandbox's exit is handed to `sandboxDied`. */
class WithoutSandboxes implements RuntimeEventSubscription {
  constructor(
    private readonly inner: RuntimeEventSubscription,
    private readonly sandboxDied: (sandboxId: string) => void,
    private readonly replicaDestroyed: (containerId: string, sandboxId: string) => void,
  ) {}

  close(): void {
    this.inner.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RuntimeEvent> {
    for await (const event of this.inner) {
      if (event.labels[BERTH_LABELS.sandbox] === TRUE) {
        if (event.type === 'die') this.sandboxDied(event.containerId);
        continue;
      }
      const sandboxId = event.labels[BERTH_LABELS.sandboxId];
      if (event.type === 'destroy' && sandboxId) this.replicaDestroyed(event.containerId, sandboxId);
      yield event;
    }
  }
}

function createError(error: unknown): Error {
  if (isEngineUnreachable(error)) return translateEngineError(error) as RuntimeUnavailable;
  const message = engineMessage(error);
  return engineStatus(error) === 400 ? new CreateContainerConfigError(message, message) : new CreateContainerError(message, message);
}

function refusedPort(message: string): number | undefined {
  for (const pattern of CONFLICT_PORT) {
    const match = pattern.exec(message);
    if (match) return Number(match[1]);
  }
  return undefined;
}

// The exec's exit code can lag its stream's end by a moment.
async function exitCodeOf(exec: Dockerode.Exec): Promise<number | null> {
  for (let i = 0; i < 20; i++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) return info.ExitCode;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return null;
}

async function mapConcurrently<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
