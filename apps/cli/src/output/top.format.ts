import type { Node } from '@berth/contracts';
import type { NodeMetrics, PodMetrics, Wire } from '../client/api.types';
import { cpuOf, formatMemoryMi, memoryOf, percentOf } from './quantity.format';

export type TopSort = 'cpu' | 'memory' | undefined;

interface Usage {
  cpu: number;
  memory: number;
}

function sortRows<T extends { usage?: Usage }>(rows: T[], sortBy: TopSort): T[] {
  if (!sortBy) return rows;
  return [...rows].sort((a, b) => (b.usage?.[sortBy] ?? -1) - (a.usage?.[sortBy] ?? -1));
}

/** `kubectl top nodes`: usage against allocatable; nodes without a reading show <unknown>. */
export function topNodeRows(nodes: readonly Wire<Node>[], metrics: readonly NodeMetrics[], sortBy: TopSort): string[][] {
  const rows = nodes.map((node) => {
    const name = node.metadata?.name ?? '';
    const m = metrics.find((x) => x.metadata?.name === name);
    const cpu = cpuOf(m?.usage?.cpu);
    const memory = memoryOf(m?.usage?.memory);
    return { name, node, usage: cpu === undefined || memory === undefined ? undefined : { cpu, memory } };
  });
  return [
    ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)'],
    ...sortRows(rows, sortBy).map(({ name, node, usage }) => {
      if (!usage) return [name, '<unknown>', '<unknown>', '<unknown>', '<unknown>'];
      const allocatable = node.status?.allocatable ?? {};
      return [
        name,
        `${usage.cpu}m`,
        `${percentOf(usage.cpu, cpuOf(allocatable['cpu']))}%`,
        formatMemoryMi(usage.memory),
        `${percentOf(usage.memory, memoryOf(allocatable['memory']))}%`,
      ];
    }),
  ];
}

/** `kubectl top pods`: the sum over each pod's containers. */
export function topPodRows(metrics: readonly PodMetrics[], withNamespace: boolean, sortBy: TopSort): string[][] {
  const rows = metrics.map((m) => {
    const usage = (m.containers ?? []).reduce<Usage>(
      (sum, c) => ({ cpu: sum.cpu + (cpuOf(c.usage?.cpu) ?? 0), memory: sum.memory + (memoryOf(c.usage?.memory) ?? 0) }),
      { cpu: 0, memory: 0 },
    );
    return { metrics: m, usage };
  });
  return [
    [...(withNamespace ? ['NAMESPACE'] : []), 'NAME', 'CPU(cores)', 'MEMORY(bytes)'],
    ...sortRows(rows, sortBy).map(({ metrics: m, usage }) => [
      ...(withNamespace ? [m.metadata?.namespace ?? ''] : []),
      m.metadata?.name ?? '',
      `${usage.cpu}m`,
      formatMemoryMi(usage.memory),
    ]),
  ];
}
