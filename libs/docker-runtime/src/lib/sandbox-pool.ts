import type { ContainerPortSpec, HostPortRange, PublishedPort } from './container-runtime';

/** What a sandbox publishes: a replica can join a sandbox only of its own signature. */
export interface PortSignature {
  /** Stable key: host ip, host-port range and the sorted `port/protocol` list. */
  key: string;
  hostIp: string;
  range: HostPortRange;
  ports: ContainerPortSpec[];
}

/** A started container that owns a network namespace and the published host ports of one signature. */
export interface Sandbox {
  id: string;
  signature: string;
  hostIp: string;
  ports: PublishedPort[];
}

export interface SandboxPoolOptions {
  /** Spares kept per signature. */
  size: number;
  /** Sandboxes created at once while refilling: low, so refills leave the engine to the critical path. */
  concurrency: number;
  /** After a failed creation, that signature waits this long before the next try. */
  retryMs?: number;
  make(signature: PortSignature): Promise<Sandbox>;
  destroy(sandbox: Sandbox): Promise<void>;
  onError?(signature: string, error: unknown): void;
  /** True while foreground work (replica starts, removals) is in flight: refills hold back and look again shortly. */
  busy?(): boolean;
}

const YIELD_RECHECK_MS = 100;

export function portSignature(hostIp: string, range: HostPortRange, ports: ContainerPortSpec[]): PortSignature {
  const list = ports.map((p) => `${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`).sort();
  return { key: `${hostIp}|${range.from}-${range.to}|${list.join(',')}`, hostIp, range, ports: ports.map((p) => ({ containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' })) };
}

/**
 * Ready network sandboxes per port signature (Kubernetes' pause containers, made ahead of time).
 * A signature is learnt from demand: once a replica asked for it, `size` spares are kept and
 * refilled in the background. A sandbox is handed out once and never comes back.
 */
export class SandboxPool {
  private readonly spares = new Map<string, Sandbox[]>();
  private readonly wanted = new Map<string, PortSignature>();
  private readonly making = new Map<string, number>();
  private readonly coolingUntil = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retryMs: number;
  private retryTimer?: NodeJS.Timeout;
  private yieldTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: SandboxPoolOptions) {
    this.retryMs = options.retryMs ?? 5_000;
  }

  /** A spare of this signature, or undefined; either way the signature is kept stocked from now on. */
  take(signature: PortSignature): Sandbox | undefined {
    if (this.closed) return undefined;
    if (!this.wanted.has(signature.key)) this.wanted.set(signature.key, signature);
    const sandbox = this.spares.get(signature.key)?.shift();
    this.refill();
    return sandbox;
  }

  isSpare(id: string): boolean {
    for (const list of this.spares.values()) if (list.some((s) => s.id === id)) return true;
    return false;
  }

  /** Forgets a spare found dead (it is removed by the caller). */
  drop(id: string): Sandbox | undefined {
    for (const list of this.spares.values()) {
      const i = list.findIndex((s) => s.id === id);
      if (i >= 0) {
        const [sandbox] = list.splice(i, 1);
        this.refill();
        return sandbox;
      }
    }
    return undefined;
  }

  spareCount(signature?: string): number {
    if (signature !== undefined) return this.spares.get(signature)?.length ?? 0;
    let n = 0;
    for (const list of this.spares.values()) n += list.length;
    return n;
  }

  /** Resolves once no refill is running or due (every wanted signature full, or cooling after a failure). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops refilling and removes the spares. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.yieldTimer);
    await this.idle();
    const all = [...this.spares.values()].flat();
    this.spares.clear();
    await Promise.allSettled(all.map((s) => this.options.destroy(s)));
  }

  private refill(): void {
    if (this.closed) return;
    // The engine serialises network set-up: a refill started now would delay the replica waiting on it.
    if (this.options.busy?.()) {
      this.yieldTimer ??= setTimeout(() => {
        this.yieldTimer = undefined;
        this.refill();
      }, YIELD_RECHECK_MS).unref();
      return;
    }
    const now = Date.now();
    let nextRetry: number | undefined;
    for (const [key, signature] of this.wanted) {
      const cooling = this.coolingUntil.get(key);
      if (cooling !== undefined && cooling > now) {
        nextRetry = Math.min(nextRetry ?? cooling, cooling);
        continue;
      }
      while (this.inFlight.size < this.options.concurrency && this.spareCount(key) + (this.making.get(key) ?? 0) < this.options.size) {
        this.makeOne(key, signature);
      }
      if (this.inFlight.size >= this.options.concurrency) return;
    }
    if (nextRetry !== undefined && !this.retryTimer) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.refill();
      }, nextRetry - now);
      this.retryTimer.unref();
    }
  }

  private makeOne(key: string, signature: PortSignature): void {
    this.making.set(key, (this.making.get(key) ?? 0) + 1);
    const job = this.options
      .make(signature)
      .then(
        async (sandbox) => {
          if (this.closed) {
            await this.options.destroy(sandbox).catch(() => undefined);
            return;
          }
          let list = this.spares.get(key);
          if (!list) this.spares.set(key, (list = []));
          list.push(sandbox);
        },
        (error: unknown) => {
          this.coolingUntil.set(key, Date.now() + this.retryMs);
          this.options.onError?.(key, error);
        },
      )
      .finally(() => {
        this.making.set(key, (this.making.get(key) ?? 1) - 1);
        this.inFlight.delete(job);
        this.refill();
      });
    this.inFlight.add(job);
  }
}
