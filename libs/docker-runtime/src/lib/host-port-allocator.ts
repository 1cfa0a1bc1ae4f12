import type { HostPortRange } from './container-runtime';
import { HostPortsUnavailable } from './runtime.errors';

export const DEFAULT_HOST_PORT_RANGE: HostPortRange = { from: 20000, to: 29_999 };

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** host ip -> ports, where a wildcard address (0.0.0.0, ::) clashes with every address. */
export class PortTable {
  private readonly byIp = new Map<string, Set<number>>();

  add(hostIp: string, port: number): void {
    const key = WILDCARDS.has(hostIp) ? '' : hostIp;
    let ports = this.byIp.get(key);
    if (!ports) this.byIp.set(key, (ports = new Set()));
    ports.add(port);
  }

  delete(hostIp: string, port: number): void {
    const key = WILDCARDS.has(hostIp) ? '' : hostIp;
    const ports = this.byIp.get(key);
    ports?.delete(port);
    if (ports?.size === 0) this.byIp.delete(key);
  }

  has(hostIp: string, port: number): boolean {
    if (this.byIp.get('')?.has(port)) return true;
    if (!WILDCARDS.has(hostIp)) return this.byIp.get(hostIp)?.has(port) ?? false;
    for (const ports of this.byIp.values()) if (ports.has(port)) return true;
    return false;
  }
}

export interface HostPortAllocatorOptions {
  /** How long a port the engine refused stays out of rotation (something outside Berth holds it). */
  blockMs?: number;
  random?: () => number;
  now?: () => number;
}

/**
 * Picks free host ports from a range, Nomad-style: random start, then scan, so concurrent
 * agents sharing an address rarely race for the same port. Reservations are held until released.
 */
export class HostPortAllocator {
  private readonly reserved = new PortTable();
  private readonly blocked = new Map<string, { until: number; reason: string }>();
  private readonly blockMs: number;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(options: HostPortAllocatorOptions = {}) {
    this.blockMs = options.blockMs ?? 30_000;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Reserves `count` distinct ports; `takenElsewhere` reports ports known to be in use by others. */
  allocate(hostIp: string, range: HostPortRange, count: number, takenElsewhere: (port: number) => boolean = () => false): number[] {
    validateRange(range);
    if (count === 0) return [];
    const size = range.to - range.from + 1;
    const start = Math.floor(this.random() * size) % size;
    const picked: number[] = [];
    for (let i = 0; i < size && picked.length < count; i++) {
      const port = range.from + ((start + i) % size);
      if (this.reserved.has(hostIp, port) || this.isBlocked(hostIp, port) || takenElsewhere(port)) continue;
      picked.push(port);
    }
    if (picked.length < count) {
      const refusals = this.refusalsIn(hostIp, range);
      throw new HostPortsUnavailable(
        `no free host port on ${hostIp} in ${range.from}-${range.to}: needed ${count}, found ${picked.length}` +
          (refusals.length ? `; recently refused: ${refusals.join('; ')}` : ''),
        refusals[0],
      );
    }
    for (const port of picked) this.reserved.add(hostIp, port);
    return picked;
  }

  release(hostIp: string, ports: Iterable<number>): void {
    for (const port of ports) this.reserved.delete(hostIp, port);
  }

  /** reason: why the engine refused it, repeated when the range runs dry. */
  block(hostIp: string, port: number, reason = 'refused by the engine'): void {
    this.blocked.set(`${hostIp}|${port}`, { until: this.now() + this.blockMs, reason });
  }

  isReserved(hostIp: string, port: number): boolean {
    return this.reserved.has(hostIp, port);
  }

  private isBlocked(hostIp: string, port: number): boolean {
    const key = `${hostIp}|${port}`;
    const entry = this.blocked.get(key);
    if (entry === undefined) return false;
    if (entry.until > this.now()) return true;
    this.blocked.delete(key);
    return false;
  }

  private refusalsIn(hostIp: string, range: HostPortRange): string[] {
    const out: string[] = [];
    for (const [key, { reason }] of this.blocked) {
      const [ip, portText] = key.split('|');
      const port = Number(portText);
      if (ip === hostIp && port >= range.from && port <= range.to && this.isBlocked(hostIp, port)) out.push(`${port}: ${reason}`);
      if (out.length === 3) break;
    }
    return out;
  }
}

export function validateRange(range: HostPortRange): void {
  const ok = Number.isInteger(range.from) && Number.isInteger(range.to) && range.from >= 1 && range.to <= 65535 && range.from <= range.to;
  if (!ok) throw new RangeError(`invalid host port range ${range.from}-${range.to}`);
}
