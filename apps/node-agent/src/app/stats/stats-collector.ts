import { Logger } from '@nestjs/common';
import type { NodeStats } from '@berth/contracts';
import type { ContainerRuntime } from '@berth/docker-runtime';
import { mapWithLimit } from '../shared/concurrency-limiter';

export interface RunningReplicas {
  runningReplicas(): { replicaUid: string; containerId: string }[];
}

/** CPU and memory of every running replica of one node; a round still in progress skips the next. */
export class StatsCollector {
  private readonly logger = new Logger(StatsCollector.name);
  private busy = false;

  constructor(
    private readonly node: string,
    private readonly runtime: ContainerRuntime,
    private readonly replicas: RunningReplicas,
    // Docker takes about a second per sample, so samples run side by side.
    private readonly concurrency = 16,
  ) {}

  async collect(): Promise<NodeStats | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    try {
      const samples = await mapWithLimit(this.replicas.runningReplicas(), this.concurrency, async ({ replicaUid, containerId }) => {
        try {
          const stats = await this.runtime.stats(containerId);
          return { uid: replicaUid, cpuPercent: Math.max(0, stats.cpuPercent), memoryBytes: Math.max(0, stats.memoryBytes), ...(stats.memoryLimitBytes > 0 ? { memoryLimitBytes: stats.memoryLimitBytes } : {}) };
        } catch (error) {
          // A container that just stopped has no stats: leave it out of this round.
          this.logger.debug({ msg: 'stats unavailable', node: this.node, replica: replicaUid, error: String(error) });
          return undefined;
        }
      });
      return { node: this.node, at: Date.now(), replicas: samples.filter((s): s is NonNullable<typeof s> => s !== undefined), services: [] };
    } finally {
      this.busy = false;
    }
  }
}
