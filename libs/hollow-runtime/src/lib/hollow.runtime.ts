import type { Readable } from 'node:stream';
import {
  berthLabels,
  BERTH_LABELS,
  classifyExit,
  ContainerNotFound,
  ContainerNotRunning,
  CreateContainerConfigError,
  CreateContainerError,
  engineContainerName,
  ErrImageNeverPull,
  ErrImagePull,
  HostPortsUnavailable,
  parseImageReference,
  RunContainerError,
  RuntimeUnavailable,
  type ContainerFilter,
  type ContainerInfo,
  type ContainerRuntime,
  type ContainerSpec,
  type ContainerStats,
  type EnsureImageResult,
  type EventsOptions,
  type ExecResult,
  type ImageReference,
  type LogOptions,
  type PublishedPort,
  type PullPolicy,
  type RuntimeEvent,
  type RuntimeEventSubscription,
  type StartedContainer,
} from '@berth/docker-runtime';
import {
  behaviorFromEnv,
  execRuleMatches,
  mergeBehaviors,
  sampleDuration,
  type HollowBehavior,
  type HollowCreateFailure,
  type ResolvedBehavior,
} from './hollow-behavior';
import { DRAW, HollowContainer } from './hollow-container';
import type { HollowNodeContext } from './hollow-context';
import { HollowEventSubscription, matchesFilter } from './hollow-events';
import { HollowLogStream } from './hollow-logs';
import { drawAt, hash32, mix32 } from './seeded-random';
import { validateSpec } from '@berth/docker-runtime';

export interface HollowNodeOptions {
  /** This node's layer of behaviour, over the cluster's and under the images'. */
  behavior?: HollowBehavior;
  /** Images present at start; default: every image that exists (Kubemark-style), so Never works out of the box. */
  preloadedImages?: Iterable<string>;
  /** Memory stats report as the limit of a container without one (Docker reports the host's). Default 8 GiB. */
  memoryBytes?: number;
}

export interface HollowNodeSummary {
  created: number;
  running: number;
  exited: number;
}

const SIGKILL_EXIT = 137;
const EXEC_OUTPUT_LIMIT = 16 * 1024;
const DEFAULT_NODE_MEMORY = 8 * 1024 ** 3;

/**
 * A simulated container engine for one hollow node: the ContainerRuntime the node-agent drives,
 * with containers in memory and time kept by the cluster's shared scheduler. Get one from
 * HollowCluster.node(name).
 */
export class HollowRuntime implements ContainerRuntime {
  private readonly containers = new Map<string, HollowContainer>();
  private readonly byName = new Map<string, HollowContainer>();
  private readonly subscriptions = new Set<HollowEventSubscription>();
  private readonly history: RuntimeEvent[] = [];
  private readonly pulled = new Set<string>();
  private readonly pulls = new Map<string, Promise<void>>();
  private readonly sleepers = new Set<(error: Error) => void>();
  private readonly preloaded?: Set<string>;
  /** Names whose create failed by injection, and how often: only those, so the map stays small. */
  private readonly injectedFailures = new Map<string, number>();
  private readonly nodeBehavior?: HollowBehavior;
  private readonly memoryBytes: number;
  /** Shared with this node's containers (log streams ask it whether to end). */
  private readonly state = { closed: false };

  constructor(
    readonly nodeName: string,
    private readonly ctx: HollowNodeContext,
    options: HollowNodeOptions = {},
  ) {
    this.nodeBehavior = options.behavior;
    this.memoryBytes = options.memoryBytes ?? DEFAULT_NODE_MEMORY;
    if (options.preloadedImages) this.preloaded = new Set([...options.preloadedImages].map((image) => parseImageReference(image).normalized));
  }

  async ensureImage(image: string, pullPolicy: PullPolicy): Promise<EnsureImageResult> {
    this.assertOpen();
    const ref = parseImageReference(image);
    const result = (pulled: boolean, pullError?: string): EnsureImageResult => ({
      image: ref.normalized,
      imageId: this.ctx.imageId(ref.normalized),
      pulled,
      ...(pullError !== undefined ? { pullError } : {}),
    });
    const present = this.imagePresent(ref);
    if (pullPolicy === 'Always') {
      try {
        await this.pull(ref);
      } catch (error) {
        if (!(error instanceof ErrImagePull) || !present || !this.ctx.useLocalImageWhenAlwaysPullFails) throw error;
        return result(false, error.engineMessage);
      }
      return result(true);
    }
    if (present) return result(false);
    if (pullPolicy === 'Never') throw new ErrImageNeverPull(image);
    await this.pull(ref);
    return result(true);
  }

  async createAndStart(spec: ContainerSpec): Promise<StartedContainer> {
    this.assertOpen();
    const ref = parseImageReference(spec.image);
    const range = spec.hostPortRange ?? this.ctx.hostPortRange;
    validateSpec(spec, range);
    const envBehavior = behaviorFromEnv(spec.env);
    const name = engineContainerName(spec);
    const existing = this.byName.get(name);
    if (existing) {
      const message = `Conflict. The container name "/${name}" is already in use by container "${existing.id}". You have to remove (or rename) that container to be able to reuse that name.`;
      throw new CreateContainerError(message, message);
    }
    if (!this.imagePresent(ref)) {
      const message = `No such image: ${ref.normalized}`;
      throw new CreateContainerError(message, message);
    }

    // Seeded by node, name and injected failures so far: reproducible per seed whatever the call order, fresh on a retry.
    const retries = this.injectedFailures.get(name) ?? 0;
    const seed = hash32(`${this.nodeName}\0${name}\0${retries}`, this.ctx.seed);
    const behavior = this.resolve(ref, envBehavior);
    const failure =
      behavior.createFailure && drawAt(seed, DRAW.createFailure) < behavior.createFailure.probability ? behavior.createFailure : undefined;
    if (failure) this.injectedFailures.set(name, retries + 1);
    else this.injectedFailures.delete(name);
    if (failure && failure.reason !== 'RunContainerError') throw injectedError(failure);

    const declared = spec.ports ?? [];
    const hostPorts = this.ctx.allocator.allocate(spec.hostIp, range, declared.length);
    const ports: PublishedPort[] = declared.map((port, i) => ({
      ...(port.name !== undefined ? { name: port.name } : {}),
      containerPort: port.containerPort,
      protocol: port.protocol ?? 'TCP',
      hostIp: spec.hostIp,
      hostPort: hostPorts[i],
    }));
    const container = new HollowContainer({
      id: containerId(this.ctx.nextContainerSeq(), seed),
      name,
      image: ref,
      labels: Object.freeze(berthLabels(spec)),
      replicaUid: spec.replicaUid,
      replicaName: spec.name,
      node: spec.node,
      deployment: spec.deployment,
      namespace: spec.namespace,
      hostIp: spec.hostIp,
      ports,
      cpuLimitMilli: spec.cpuMilli,
      memoryLimitBytes: spec.memoryBytes,
      envBehavior,
      seed,
      runFailure: failure,
      logIntervalMs: behavior.logIntervalMs,
      createdAt: this.ctx.scheduler.now(),
      nodeState: this.state,
    });
    this.containers.set(container.id, container);
    this.byName.set(name, container);

    const startMs = sampleDuration(behavior.startMs, drawAt(seed, DRAW.startMs));
    await new Promise<void>((resolve, reject) => {
      container.startWaiter = { resolve, reject };
      if (startMs <= 0) this.start(container);
      else container.action = this.ctx.scheduler.schedule(startMs, () => this.start(container));
    });
    return container.startedContainer();
  }

  async stop(containerId: string, gracePeriodSeconds: number): Promise<void> {
    this.assertOpen();
    const container = this.require(containerId);
    if (container.status !== 'running') return;
    const now = this.ctx.scheduler.now();
    const graceMs = Math.max(0, Math.ceil(gracePeriodSeconds)) * 1000;
    const killAt = now + graceMs;
    const stopping = container.stopping;
    if (stopping) {
      // A second stop with a shorter grace period brings the SIGKILL forward.
      if (killAt < stopping.deadline) {
        stopping.action?.cancel();
        stopping.deadline = killAt;
        stopping.action = this.ctx.scheduler.scheduleAt(killAt, () => this.exit(container, SIGKILL_EXIT, false));
      }
      return stopping.done;
    }
    const behavior = this.behaviorOf(container);
    const shutdownMs = behavior.ignoresSigterm ? Infinity : sampleDuration(behavior.shutdownMs, container.draw(DRAW.shutdownMs));
    const obeys = graceMs > 0 && shutdownMs <= graceMs;
    const deadline = obeys ? now + shutdownMs : killAt;
    const exitCode = obeys ? behavior.stopExitCode : SIGKILL_EXIT;
    if (deadline <= now) {
      this.exit(container, exitCode, false);
      return;
    }
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    container.stopping = { deadline, done, resolve };
    container.stopping.action = this.ctx.scheduler.scheduleAt(deadline, () => this.exit(container, exitCode, false));
    return done;
  }

  async remove(containerId: string): Promise<void> {
    this.assertOpen();
    const container = this.containers.get(containerId);
    if (!container) return;
    if (container.status === 'created') {
      container.action?.cancel();
      container.action = undefined;
      const message = `No such container: ${container.id} (removed before it started)`;
      this.settleStart(container, new RunContainerError(message, message));
    }
    if (container.status === 'running') this.exit(container, SIGKILL_EXIT, false);
    this.discard(container);
  }

  async list(filter: ContainerFilter = {}): Promise<ContainerInfo[]> {
    this.assertOpen();
    const out: ContainerInfo[] = [];
    for (const container of this.containers.values()) {
      if (matchesFilter(container.labels, filter)) out.push(container.toInfo());
    }
    return out;
  }

  async inspect(containerId: string): Promise<ContainerInfo> {
    this.assertOpen();
    return this.require(containerId).toInfo();
  }

  async exec(containerId: string, command: string[], timeoutMs: number): Promise<ExecResult> {
    this.assertOpen();
    const container = this.require(containerId);
    if (container.status !== 'running') throw new ContainerNotRunning(containerId, `container ${containerId} is not running`);
    const runningMs = this.ctx.scheduler.now() - (container.startedAt ?? 0);
    const rule = this.behaviorOf(container).exec.find((candidate) => execRuleMatches(candidate, command, runningMs));
    const durationMs = rule?.durationMs !== undefined ? sampleDuration(rule.durationMs, container.nextExecDraw()) : 0;
    if (durationMs > timeoutMs) {
      await this.sleep(timeoutMs);
      return { exitCode: null, output: '', timedOut: true };
    }
    if (durationMs > 0) await this.sleep(durationMs);
    const output = Buffer.from(rule?.output ?? '').subarray(0, EXEC_OUTPUT_LIMIT).toString('utf8');
    return { exitCode: rule?.exitCode ?? 0, output, timedOut: false };
  }

  async stats(containerId: string): Promise<ContainerStats> {
    this.assertOpen();
    const container = this.require(containerId);
    const now = this.ctx.scheduler.now();
    const limit = container.memoryLimitBytes ?? this.memoryBytes;
    if (container.status !== 'running') return { cpuPercent: 0, memoryBytes: 0, memoryLimitBytes: limit, at: new Date(now) };
    const behavior = this.behaviorOf(container);
    // Jitter is a function of the container and the second, so repeated reads within a second agree.
    const second = String(Math.floor(now / 1000));
    const wobble = (salt: number): number => 1 + this.ctx.statsJitter * (2 * (hash32(second, container.seed + salt) / 4294967296) - 1);
    let cpuMilli = (this.ctx.cpuShare(container.loadKey) ?? behavior.cpuMilli) * wobble(1);
    if (container.cpuLimitMilli !== undefined) cpuMilli = Math.min(cpuMilli, container.cpuLimitMilli);
    const memory = Math.min(Math.round(behavior.memoryBytes * wobble(2)), limit);
    return { cpuPercent: cpuMilli / 10, memoryBytes: memory, memoryLimitBytes: limit, at: new Date(now) };
  }

  async logs(containerId: string, options: LogOptions = {}): Promise<Readable> {
    this.assertOpen();
    return new HollowLogStream(this.require(containerId), this.ctx.scheduler, options);
  }

  async events(options: EventsOptions = {}): Promise<RuntimeEventSubscription> {
    this.assertOpen();
    const { since, ...filter } = options;
    const subscription = new HollowEventSubscription(filter, (closed) => this.subscriptions.delete(closed));
    if (since) {
      const from = since.getTime();
      for (const event of this.history) if (event.at.getTime() >= from) subscription.offer(event);
    }
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Counts by state, without building ContainerInfo objects. */
  summary(): HollowNodeSummary {
    const summary: HollowNodeSummary = { created: 0, running: 0, exited: 0 };
    for (const container of this.containers.values()) summary[container.status]++;
    return summary;
  }

  /** @internal The cluster closes its nodes: waiters are released, streams and subscriptions end. */
  shutdown(): void {
    if (this.state.closed) return;
    this.state.closed = true;
    const closed = new RuntimeUnavailable(`hollow node ${this.nodeName} is shut down`);
    for (const container of this.containers.values()) {
      container.action?.cancel();
      container.stopping?.action?.cancel();
      this.settleStart(container, closed);
      if (container.status === 'running') this.ctx.countRunning(container.loadKey, -1);
      if (container.ports.length) this.ctx.allocator.release(container.hostIp, container.ports.map((port) => port.hostPort));
      container.stopping?.resolve();
      container.stopping = undefined;
      container.notify();
    }
    for (const subscription of [...this.subscriptions]) subscription.close();
    for (const reject of [...this.sleepers]) reject(closed);
    this.sleepers.clear();
  }

  private start(container: HollowContainer): void {
    container.action = undefined;
    if (this.state.closed || container.removed) return;
    if (container.runFailure) {
      const error = injectedError(container.runFailure);
      this.discard(container);
      this.settleStart(container, error);
      return;
    }
    const now = this.ctx.scheduler.now();
    container.status = 'running';
    container.startedAt = now;
    this.ctx.countRunning(container.loadKey, 1);
    this.emit(container, 'start');
    this.settleStart(container);
    container.notify();
    this.scheduleOwnExit(container, now);
  }

  /** The one future action a running container may have: an OOM kill or an injected crash, whichever is first. */
  private scheduleOwnExit(container: HollowContainer, now: number): void {
    const behavior = this.behaviorOf(container);
    let at = Infinity;
    let exitCode = 0;
    let oomKilled = false;
    if (container.memoryLimitBytes !== undefined && behavior.memoryBytes > container.memoryLimitBytes) {
      at = now + sampleDuration(behavior.oomAfterMs, container.draw(DRAW.oomAfterMs));
      exitCode = SIGKILL_EXIT;
      oomKilled = true;
    }
    const crash = behavior.crash;
    if (crash && container.draw(DRAW.crash) < (crash.probability ?? 1)) {
      const crashAt = now + sampleDuration(crash.afterMs, container.draw(DRAW.crashAfterMs));
      if (crashAt < at) {
        at = crashAt;
        exitCode = crash.exitCode ?? 1;
        oomKilled = false;
      }
    }
    if (at !== Infinity) container.action = this.ctx.scheduler.scheduleAt(at, () => this.exit(container, exitCode, oomKilled));
  }

  private exit(container: HollowContainer, exitCode: number, oomKilled: boolean): void {
    if (container.status !== 'running' || this.state.closed) return;
    container.action?.cancel();
    container.action = undefined;
    const stopping = container.stopping;
    stopping?.action?.cancel();
    container.stopping = undefined;
    container.status = 'exited';
    container.finishedAt = this.ctx.scheduler.now();
    container.exitCode = exitCode;
    container.oomKilled = oomKilled;
    this.ctx.countRunning(container.loadKey, -1);
    if (oomKilled) this.emit(container, 'oom');
    this.emit(container, 'die');
    stopping?.resolve();
    container.notify();
  }

  private discard(container: HollowContainer): void {
    if (container.removed) return;
    container.removed = true;
    this.containers.delete(container.id);
    if (this.byName.get(container.name) === container) this.byName.delete(container.name);
    if (container.ports.length) this.ctx.allocator.release(container.hostIp, container.ports.map((port) => port.hostPort));
    this.emit(container, 'destroy');
    container.notify();
  }

  private settleStart(container: HollowContainer, error?: Error): void {
    const waiter = container.startWaiter;
    if (!waiter) return;
    container.startWaiter = undefined;
    if (error) waiter.reject(error);
    else waiter.resolve();
  }

  private emit(container: HollowContainer, type: RuntimeEvent['type']): void {
    const base = {
      containerId: container.id,
      replicaUid: container.labels[BERTH_LABELS.replica],
      node: container.labels[BERTH_LABELS.node],
      labels: container.labels,
      at: new Date(this.ctx.scheduler.now()),
    };
    const event: RuntimeEvent =
      type === 'die'
        ? { ...base, type, exit: classifyExit({ exitCode: container.exitCode ?? 0, oomKilled: container.oomKilled }) }
        : { ...base, type };
    if (this.ctx.eventHistory > 0) {
      this.history.push(event);
      if (this.history.length > this.ctx.eventHistory) this.history.shift();
    }
    for (const subscription of this.subscriptions) subscription.offer(event);
  }

  private resolve(image: ImageReference, envBehavior: HollowBehavior | undefined): ResolvedBehavior {
    return mergeBehaviors([this.ctx.clusterBehavior(), this.nodeBehavior, this.ctx.imageBehavior(image), envBehavior]);
  }

  // Resolved on use, so a behaviour reconfigured at run time reaches running containers.
  private behaviorOf(container: HollowContainer): ResolvedBehavior {
    return this.resolve(container.imageRef, container.envBehavior);
  }

  private imagePresent(ref: ImageReference): boolean {
    if (this.pulled.has(ref.normalized)) return true;
    return this.preloaded ? this.preloaded.has(ref.normalized) : this.ctx.imageExists(ref);
  }

  private pull(ref: ImageReference): Promise<void> {
    let pending = this.pulls.get(ref.normalized);
    if (!pending) {
      pending = this.pullOnce(ref).finally(() => this.pulls.delete(ref.normalized));
      this.pulls.set(ref.normalized, pending);
    }
    return pending;
  }

  private async pullOnce(ref: ImageReference): Promise<void> {
    if (!this.ctx.imageExists(ref)) {
      throw new ErrImagePull(
        ref.normalized,
        `pull access denied for ${ref.name}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
      );
    }
    const pullMs = sampleDuration(this.resolve(ref, undefined).pullMs, this.ctx.random());
    if (pullMs > 0) await this.sleep(pullMs);
    this.pulled.add(ref.normalized);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const action = this.ctx.scheduler.schedule(ms, () => {
        this.sleepers.delete(fail);
        resolve();
      });
      const fail = (error: Error): void => {
        action.cancel();
        reject(error);
      };
      this.sleepers.add(fail);
    });
  }

  private require(containerId: string): HollowContainer {
    const container = this.containers.get(containerId);
    if (!container) throw new ContainerNotFound(containerId, `No such container: ${containerId}`);
    return container;
  }

  private assertOpen(): void {
    if (this.state.closed) throw new RuntimeUnavailable(`hollow node ${this.nodeName} is shut down`);
  }
}

function injectedError(failure: HollowCreateFailure): Error {
  const reason = failure.reason ?? 'CreateContainerError';
  const message = failure.message ?? `hollow: injected ${reason}`;
  switch (reason) {
    case 'CreateContainerError':
      return new CreateContainerError(message, message);
    case 'CreateContainerConfigError':
      return new CreateContainerConfigError(message, message);
    case 'RunContainerError':
      return new RunContainerError(message, message);
    case 'HostPortsUnavailable':
      return new HostPortsUnavailable(message, message);
    case 'RuntimeUnavailable':
      return new RuntimeUnavailable(message, message);
  }
}

/** 64 hex characters like an engine id; the first 8 are a bijection of a cluster-wide sequence, so ids never collide. */
function containerId(seq: number, seed: number): string {
  const bytes = Buffer.allocUnsafe(32);
  bytes.writeUInt32BE(mix32(seq), 0);
  for (let i = 1; i < 8; i++) bytes.writeUInt32BE(mix32((seed ^ mix32(seq + i * 0x9e3779b9)) >>> 0), i * 4);
  return bytes.toString('hex');
}
