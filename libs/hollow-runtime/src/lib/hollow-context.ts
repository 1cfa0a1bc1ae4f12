import type { HostPortAllocator, HostPortRange, ImageReference } from '@berth/docker-runtime';
import type { HollowBehavior } from './hollow-behavior';
import type { HollowScheduler } from './hollow-scheduler';

/** What a HollowRuntime shares with the other nodes of its HollowCluster (internal, not exported). */
export interface HollowNodeContext {
  readonly scheduler: HollowScheduler;
  readonly seed: number;
  readonly allocator: HostPortAllocator;
  readonly hostPortRange: HostPortRange;
  readonly statsJitter: number;
  readonly eventHistory: number;
  readonly useLocalImageWhenAlwaysPullFails: boolean;
  /** Cluster-wide sequence for unique container ids. */
  nextContainerSeq(): number;
  /** Order-dependent randomness, for choices that need not be reproducible per container. */
  random(): number;
  clusterBehavior(): HollowBehavior | undefined;
  imageBehavior(image: ImageReference): HollowBehavior | undefined;
  /** false for the configured missingImages: no registry has them. */
  imageExists(image: ImageReference): boolean;
  imageId(normalized: string): string;
  /** Per running replica share of a deployment's configured total CPU load, if one is set. */
  cpuShare(loadKey: string): number | undefined;
  countRunning(loadKey: string, delta: number): void;
}
