import { parseCpuMillicores, parseMemoryBytes } from '@berth/contracts';

/** Millicores as kubectl shows sums: `250m`, or whole cores `2`. */
export function formatCpu(millicores: number): string {
  if (millicores === 0) return '0';
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** Bytes in the largest binary unit that divides them exactly: `128Mi`, `2Gi`, `1500`. */
export function formatMemory(bytes: number): string {
  if (bytes === 0) return '0';
  for (const [suffix, size] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes % size === 0) return `${bytes / size}${suffix}`;
  }
  return String(bytes);
}

/** kubectl top's memory column: whole mebibytes. */
export function formatMemoryMi(bytes: number): string {
  return `${Math.floor(bytes / 2 ** 20)}Mi`;
}

/** Whole percent of a total, `0` when the total is unknown or zero. */
export function percentOf(value: number, total: number | undefined): number {
  return total ? Math.trunc((value / total) * 100) : 0;
}

/** Quantity -> millicores or bytes without throwing: a malformed value counts as unknown. */
export function cpuOf(quantity: unknown): number | undefined {
  try {
    return typeof quantity === 'string' || typeof quantity === 'number' ? parseCpuMillicores(quantity) : undefined;
  } catch {
    return undefined;
  }
}

export function memoryOf(quantity: unknown): number | undefined {
  try {
    return typeof quantity === 'string' || typeof quantity === 'number' ? parseMemoryBytes(quantity) : undefined;
  } catch {
    return undefined;
  }
}
