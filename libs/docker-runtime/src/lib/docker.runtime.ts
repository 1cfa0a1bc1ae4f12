import Dockerode from 'dockerode';
import { Readable } from 'node:stream';
import type {
  ContainerFilter,
  ContainerInfo,
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
import { berthLabels, engineContainerName, hostnameFor, labelFilters } from './labels';
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
}

const MiB = 1024 * 1024;
const DEFAULT_LOG_LIMIT_BYTES = MiB;
const INSPECT_CONCURRENCY = 16;
const PORT_CONFLICT = /port is already allocated|address already in use/i;
const CONFLICT_PORT = [/Bind for \S*?:(\d+) failed/, /listen \w+ \S*?:(\d+):/];

interface OwnedPorts {
  hostIp: string;
  ports: number[];
}

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
    const image = parseImageReference(spec.image).normalized;
    const range = spec.hostPortRange ?? this.defaultRange;
    validateSpec(spec, range);
    const name = engineContainerName(spec);
    const declared = spec.ports ?? [];
    let lastRefusal: string | undefined;
    for (let attempt = 0; ; attempt++) {
      const engine = declared.length ? await this.enginePorts() : undefined;
      let hostPorts: number[];
      try {
        hostPorts = this.allocator.allocate(spec.hostIp, range, declared.length, (port) => engine?.has(spec.hostIp, port) ?? false);
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
        hostIp: spec.hostIp,
        hostPort: hostPorts[i],
      }));

      let containerId: string;
      try {
        containerId = (await this.docker.createContainer(this.createOptions(spec, name, image, published))).id;
      } catch (error) {
        this.allocator.release(spec.hostIp, hostPorts);
        throw createError(error);
      }

      try {
        await this.docker.getContainer(containerId).start();
      } catch (error) {
        await this.discard(containerId);
        this.allocator.release(spec.hostIp, hostPorts);
        const message = engineMessage(error);
        if (!PORT_CONFLICT.test(message)) {
          throw isEngineUnreachable(error) ? translateEngineError(error) : new RunContainerError(message, message);
        }
        lastRefusal = message;
        const refused = refusedPort(message);
        for (const port of refused !== undefined ? [refused] : hostPorts) this.allocator.block(spec.hostIp, port, message);
        this.snapshot = undefined;
        if (attempt >= this.portRetries) {
          throw new HostPortsUnavailable(`host ports on ${spec.hostIp} refused ${attempt + 1} times; last: ${message}`, message);
        }
        continue;
      }
      this.owned.set(containerId, { hostIp: spec.hostIp, ports: hostPorts });
      return { containerId, name, hostPorts: hostPortMap(published), ports: published };
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
    try {
      await this.docker.getContainer(containerId).remove({ force: true, v: true });
    } catch (error) {
      const status = engineStatus(error);
      const alreadyGoing = status === 409 && /already in progress/i.test(engineMessage(error));
      if (status !== 404 && !alreadyGoing) throw translateEngineError(error, containerId);
    }
    this.releaseOwned(containerId);
  }

  async list(filter: ContainerFilter = {}): Promise<ContainerInfo[]> {
    let summaries: Dockerode.ContainerInfo[];
    try {
      summaries = await this.docker.listContainers({ all: true, filters: { label: labelFilters(filter) } });
    } catch (error) {
      throw translateEngineError(error);
    }
    const infos = await mapConcurrently(summaries, INSPECT_CONCURRENCY, async (summary) => {
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
      return toContainerInfo(raw as unknown as EngineContainerInspect);
    } catch (error) {
      throw translateEngineError(error, containerId);
    }
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
    return new DockerEventSubscription(stream, async (id) => (await this.docker.getContainer(id).inspect()).State.OOMKilled);
  }

  private createOptions(spec: ContainerSpec, name: string, image: string, published: PublishedPort[]): Dockerode.ContainerCreateOptions {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    for (const port of published) {
      const key = `${port.containerPort}/${port.protocol.toLowerCase()}`;
      exposed[key] = {};
      (bindings[key] ??= []).push({ HostIp: port.hostIp, HostPort: String(port.hostPort) });
    }
    return {
      name,
      Hostname: hostnameFor(spec.name),
      Image: image,
      // Kubernetes: command replaces ENTRYPOINT (and so drops the image CMD), args replace CMD.
      Entrypoint: spec.command?.length ? spec.command : undefined,
      Cmd: spec.args?.length ? spec.args : undefined,
      Env: Object.entries(spec.env ?? {}).map(([key, value]) => `${key}=${value}`),
      Labels: berthLabels(spec),
      ExposedPorts: exposed,
      HostConfig: {
        PortBindings: bindings,
        NanoCpus: spec.cpuMilli ? Math.round(spec.cpuMilli * 1e6) : undefined,
        Memory: spec.memoryBytes,
        // Swap capped at the limit: exceeding memory is an OOM kill, not a slow swap.
        MemorySwap: spec.memoryBytes,
        // The agent owns restarts (backoff, new attempts), not the engine.
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
