import { createHash } from 'node:crypto';
import {
  DEFAULT_HOST_PORT_RANGE,
  HostPortAllocator,
  type HostPortRange,
  type ImageReference,
} from '@berth/docker-runtime';
import { validateBehavior, type HollowBehavior } from './hollow-behavior';
import type { HollowNodeContext } from './hollow-context';
import { HollowScheduler } from './hollow-scheduler';
import { ImageMatcher } from './image-matcher';
import { seededRandom, type Random } from './seeded-random';
import { HollowRuntime, type HollowNodeOptions, type HollowNodeSummary } from './hollow.runtime';

export interface HollowClusterOptions {
  /** Seed of every random choice (start times, injected failures, ids). Default 1. */
  seed?: number;
  /** The shared clock; the cluster owns it and closes it in close(). Default: a real-time scheduler. */
  scheduler?: HollowScheduler;
  /** Behaviour of every container, under node, image and env layers. */
  behavior?: HollowBehavior;
  /** Behaviour per image: `repo:tag` exactly, or a bare `repo` for all its tags. */
  images?: Record<string, HollowBehavior>;
  /** Images no registry has: pulls fail with ErrImagePull, and Never finds them absent (ErrImageNeverPull). */
  missingImages?: Iterable<string>;
  /** Default 20000-29999, as DockerRuntime. */
  hostPortRange?: HostPortRange;
  /** Relative +- wobble of stats around the configured use (0 = exact). Default 0.05. */
  statsJitter?: number;
  /** Events kept per node for events({ since }). Default 64. */
  eventHistory?: number;
  /** As DockerRuntime: policy Always falls back to a present image when the pull fails. Default true. */
  useLocalImageWhenAlwaysPullFails?: boolean;
}

export interface HollowClusterSummary extends HollowNodeSummary {
  nodes: number;
  containers: number;
  /** Actions waiting in the shared scheduler (starts, crashes, stops, log follows). */
  scheduledActions: number;
}

/**
 * Many hollow nodes in one process, like Kubemark: one shared scheduler (one live timer), one port
 * allocator keyed by node address, one seed; node(name) hands out each node's HollowRuntime.
 */
export class HollowCluster {
  readonly scheduler: HollowScheduler;
  readonly seed: number;
  private readonly nodes = new Map<string, HollowRuntime>();
  private readonly images = new ImageMatcher<HollowBehavior>();
  private readonly missing = new ImageMatcher<true>();
  private readonly imageIds = new Map<string, string>();
  private readonly running = new Map<string, number>();
  private readonly loads = new Map<string, number>();
  private readonly random: Random;
  private readonly context: HollowNodeContext;
  private behavior?: HollowBehavior;
  private containerSeq = 0;
  private closed = false;

  constructor(options: HollowClusterOptions = {}) {
    this.seed = options.seed ?? 1;
    this.scheduler = options.scheduler ?? new HollowScheduler();
    this.random = seededRandom(this.seed ^ 0x5bd1e995);
    this.configure(options.behavior);
    for (const [image, behavior] of Object.entries(options.images ?? {})) this.configureImage(image, behavior);
    for (const image of options.missingImages ?? []) this.missing.set(image, true);
    const statsJitter = options.statsJitter ?? 0.05;
    if (!(statsJitter >= 0 && statsJitter < 1)) throw new RangeError(`statsJitter must be in [0, 1), got ${statsJitter}`);
    const hostPortRange = options.hostPortRange ?? DEFAULT_HOST_PORT_RANGE;
    const allocator = new HostPortAllocator({ random: this.random, now: () => this.scheduler.now() });
    this.context = {
      scheduler: this.scheduler,
      seed: this.seed,
      allocator,
      hostPortRange,
      statsJitter,
      eventHistory: options.eventHistory ?? 64,
      useLocalImageWhenAlwaysPullFails: options.useLocalImageWhenAlwaysPullFails ?? true,
      nextContainerSeq: () => this.containerSeq++,
      random: this.random,
      clusterBehavior: () => this.behavior,
      imageBehavior: (image) => this.images.get(image.normalized, image.name),
      imageExists: (image: ImageReference) => !this.missing.has(image.normalized, image.name),
      imageId: (normalized) => this.imageId(normalized),
      cpuShare: (loadKey) => this.cpuShare(loadKey),
      countRunning: (loadKey, delta) => this.countRunning(loadKey, delta),
    };
  }

  /** The runtime of node `name`, created on first use (options apply then only). */
  node(name: string, options?: HollowNodeOptions): HollowRuntime {
    if (this.closed) throw new Error('HollowCluster is closed');
    let runtime = this.nodes.get(name);
    if (!runtime) {
      if (options?.behavior) validateBehavior(options.behavior, `node ${name}`);
      runtime = new HollowRuntime(name, this.context, options);
      this.nodes.set(name, runtime);
    }
    return runtime;
  }

  getNode(name: string): HollowRuntime | undefined {
    return this.nodes.get(name);
  }

  get nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  /** The host vanishes with its containers: no events, calls on its runtime fail with RuntimeUnavailable. */
  removeNode(name: string): boolean {
    const runtime = this.nodes.get(name);
    if (!runtime) return false;
    runtime.shutdown();
    this.nodes.delete(name);
    return true;
  }

  /** Replaces the cluster-wide behaviour; running containers see it on their next decision. */
  configure(behavior: HollowBehavior | undefined): void {
    if (behavior) validateBehavior(behavior, 'the cluster');
    this.behavior = behavior;
  }

  /** Sets (or with undefined clears) an image's behaviour, e.g. to make its probes start failing. */
  configureImage(image: string, behavior: HollowBehavior | undefined): void {
    if (behavior) validateBehavior(behavior, `image ${image}`);
    this.images.set(image, behavior);
  }

  /**
   * Offered load of a deployment in millicores, shared by its running replicas across the cluster:
   * scaling out lowers each replica's CPU, as real traffic would, so an autoscaler can converge.
   */
  setDeploymentLoad(namespace: string, deployment: string, totalCpuMilli: number | undefined): void {
    const key = `${namespace}/${deployment}`;
    if (totalCpuMilli === undefined) this.loads.delete(key);
    else if (totalCpuMilli >= 0) this.loads.set(key, totalCpuMilli);
    else throw new RangeError(`totalCpuMilli must be >= 0, got ${totalCpuMilli}`);
  }

  runningReplicas(namespace: string, deployment: string): number {
    return this.running.get(`${namespace}/${deployment}`) ?? 0;
  }

  summary(): HollowClusterSummary {
    const summary: HollowClusterSummary = { nodes: this.nodes.size, containers: 0, created: 0, running: 0, exited: 0, scheduledActions: this.scheduler.pending };
    for (const runtime of this.nodes.values()) {
      const node = runtime.summary();
      summary.created += node.created;
      summary.running += node.running;
      summary.exited += node.exited;
    }
    summary.containers = summary.created + summary.running + summary.exited;
    return summary;
  }

  /** Stops the clock and shuts every node down: pending starts reject, streams and subscriptions end. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.close();
    for (const runtime of this.nodes.values()) runtime.shutdown();
  }

  private imageId(normalized: string): string {
    let id = this.imageIds.get(normalized);
    if (!id) {
      id = `sha256:${createHash('sha256').update(`hollow:${normalized}`).digest('hex')}`;
      this.imageIds.set(normalized, id);
    }
    return id;
  }

  private cpuShare(loadKey: string): number | undefined {
    const load = this.loads.get(loadKey);
    if (load === undefined) return undefined;
    return load / Math.max(1, this.running.get(loadKey) ?? 0);
  }

  private countRunning(loadKey: string, delta: number): void {
    const count = (this.running.get(loadKey) ?? 0) + delta;
    if (count > 0) this.running.set(loadKey, count);
    else this.running.delete(loadKey);
  }
}
