import { computeStats, type EngineStatsSample } from './docker-stats';

function sample(overrides: Partial<EngineStatsSample> = {}): EngineStatsSample {
  return {
    read: '2026-01-01T00:00:01Z',
    cpu_stats: { cpu_usage: { total_usage: 1_500_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: 1_000_000_000 }, system_cpu_usage: 18_000_000_000 },
    memory_stats: { usage: 50 * 1024 * 1024, limit: 128 * 1024 * 1024, stats: { total_inactive_file: 10 * 1024 * 1024 } },
    ...overrides,
  };
}

describe('computeStats', () => {
  it('computes CPU like docker stats: delta over system delta times online CPUs', () => {
    // 0.5 s of CPU over 2 s of (2-CPU) system time = 25% of the machine = 50% of one core.
    expect(computeStats(sample()).cpuPercent).toBeCloseTo(50);
  });

  it('subtracts the inactive page cache from memory (cgroup v1 and v2 names)', () => {
    expect(computeStats(sample()).memoryBytes).toBe(40 * 1024 * 1024);
    const v2 = sample({ memory_stats: { usage: 30, limit: 100, stats: { inactive_file: 10 } } });
    expect(computeStats(v2)).toMatchObject({ memoryBytes: 20, memoryLimitBytes: 100 });
  });

  it('reports 0% without a previous sample (stopped container or first read)', () => {
    const first = sample({ precpu_stats: { cpu_usage: { total_usage: 0 } }, cpu_stats: { cpu_usage: { total_usage: 0 } } });
    expect(computeStats(first).cpuPercent).toBe(0);
  });

  it('falls back to the per-CPU count when online_cpus is missing', () => {
    const old = sample({ cpu_stats: { cpu_usage: { total_usage: 1_500_000_000, percpu_usage: [1, 1, 1, 1] }, system_cpu_usage: 20_000_000_000 } });
    expect(computeStats(old).cpuPercent).toBeCloseTo(100);
  });
});
