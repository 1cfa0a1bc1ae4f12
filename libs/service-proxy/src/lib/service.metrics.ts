import { LatencyHistogram } from './latency.histogram';
import { LatencyBucket } from './proxy.types';

/** Prometheus' default bucket bounds, in ms, for the cumulative histogram in snapshots. */
export const LATENCY_BUCKETS_MS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
const SLOTS = 10;

class WindowSlot {
  epoch = -1;
  connections = 0;
  requests = 0;
  errors5xx = 0;
  readonly latency = new LatencyHistogram();

  reset(epoch: number): void {
    this.epoch = epoch;
    this.connections = 0;
    this.requests = 0;
    this.errors5xx = 0;
    this.latency.reset();
  }
}

export interface WindowAggregate {
  seconds: number;
  connections: number;
  requests: number;
  errors5xx: number;
  latency: LatencyHistogram;
}

/** Counters of one service: cumulative totals plus a ring of time slots for the recent window. */
export class ServiceMetrics {
  activeConnections = 0;
  totalConnections = 0;
  failedConnects = 0;
  rejectedNoEndpoint = 0;
  failedAllAttempts = 0;
  retries = 0;
  /** Bytes of connections already closed; live ones are added at snapshot time. */
  closedBytesIn = 0;
  closedBytesOut = 0;

  requests = 0;
  errors5xx = 0;
  httpRetries = 0;
  readonly statusCodes = new Map<number, number>();
  readonly latency = new LatencyHistogram();
  readonly latencyBuckets = new Float64Array(LATENCY_BUCKETS_MS.length + 1);
  /** Set while a prom-client registry is attached: feeds its histogram (seconds). */
  latencyObserver?: (seconds: number) => void;

  private readonly slots: WindowSlot[] = Array.from({ length: SLOTS }, () => new WindowSlot());
  private readonly slotMs: number;
  private readonly createdAt: number;

  constructor(
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.slotMs = Math.max(1, Math.floor(windowMs / SLOTS));
    this.createdAt = now();
  }

  connectionOpened(): void {
    this.activeConnections++;
    this.totalConnections++;
    this.slot().connections++;
  }

  connectionClosed(bytesIn: number, bytesOut: number): void {
    this.activeConnections--;
    this.closedBytesIn += bytesIn;
    this.closedBytesOut += bytesOut;
  }

  requestCompleted(status: number, latencyMs: number): void {
    this.requests++;
    this.statusCodes.set(status, (this.statusCodes.get(status) ?? 0) + 1);
    this.latency.record(latencyMs);
    let b = 0;
    while (b < LATENCY_BUCKETS_MS.length && latencyMs > LATENCY_BUCKETS_MS[b]) b++;
    this.latencyBuckets[b]++;
    const slot = this.slot();
    slot.requests++;
    slot.latency.record(latencyMs);
    if (status >= 500) {
      this.errors5xx++;
      slot.errors5xx++;
    }
    this.latencyObserver?.(latencyMs / 1000);
  }

  cumulativeBuckets(): LatencyBucket[] {
    const out: LatencyBucket[] = [];
    let acc = 0;
    for (let i = 0; i <= LATENCY_BUCKETS_MS.length; i++) {
      acc += this.latencyBuckets[i];
      out.push({ leMs: i < LATENCY_BUCKETS_MS.length ? LATENCY_BUCKETS_MS[i] : Infinity, count: acc });
    }
    return out;
  }

  /** Sums the slots inside the window; `seconds` is the span they cover (shorter right after start). */
  window(): WindowAggregate {
    const now = this.now();
    const epoch = Math.floor(now / this.slotMs);
    const latency = new LatencyHistogram();
    let connections = 0;
    let requests = 0;
    let errors5xx = 0;
    for (const slot of this.slots) {
      if (slot.epoch <= epoch - SLOTS || slot.epoch > epoch) continue;
      connections += slot.connections;
      requests += slot.requests;
      errors5xx += slot.errors5xx;
      latency.add(slot.latency);
    }
    const spanMs = Math.min((SLOTS - 1) * this.slotMs + (now - epoch * this.slotMs), now - this.createdAt);
    return { seconds: Math.max(spanMs, 1) / 1000, connections, requests, errors5xx, latency };
  }

  private slot(): WindowSlot {
    const epoch = Math.floor(this.now() / this.slotMs);
    const slot = this.slots[epoch % SLOTS];
    if (slot.epoch !== epoch) slot.reset(epoch);
    return slot;
  }
}
