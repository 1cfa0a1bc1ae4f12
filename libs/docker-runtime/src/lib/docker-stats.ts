import type { ContainerStats } from './container-runtime';

/** The part of the engine's /containers/{id}/stats answer that `docker stats` reads. */
export interface EngineStatsSample {
  read: string;
  cpu_stats: EngineCpuStats;
  precpu_stats: EngineCpuStats;
  memory_stats: { usage?: number; limit?: number; stats?: Record<string, number> };
}

interface EngineCpuStats {
  cpu_usage: { total_usage: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
}

/** Same arithmetic as the docker CLI (cli/command/container/stats_helpers.go). */
export function computeStats(sample: EngineStatsSample): ContainerStats {
  return {
    cpuPercent: cpuPercent(sample),
    memoryBytes: memoryWithoutCache(sample.memory_stats),
    memoryLimitBytes: sample.memory_stats.limit ?? 0,
    at: new Date(sample.read),
  };
}

function cpuPercent({ cpu_stats: cpu, precpu_stats: pre }: EngineStatsSample): number {
  const cpuDelta = cpu.cpu_usage.total_usage - (pre.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cpu.system_cpu_usage ?? 0) - (pre.system_cpu_usage ?? 0);
  const onlineCpus = cpu.online_cpus || cpu.cpu_usage.percpu_usage?.length || 0;
  if (systemDelta <= 0 || cpuDelta <= 0) return 0;
  return (cpuDelta / systemDelta) * onlineCpus * 100;
}

function memoryWithoutCache(memory: EngineStatsSample['memory_stats']): number {
  const usage = memory.usage ?? 0;
  const stats = memory.stats ?? {};
  // cgroup v1 reports total_inactive_file, v2 inactive_file.
  for (const key of ['total_inactive_file', 'inactive_file']) {
    const inactive = stats[key];
    if (inactive !== undefined && inactive < usage) return usage - inactive;
  }
  return usage;
}
