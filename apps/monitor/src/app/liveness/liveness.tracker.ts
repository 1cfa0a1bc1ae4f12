import { EventData, NodeHeartbeat } from '@berth/contracts';
import type { NodeCondition } from '@berth/read-models';

/** Monotonic milliseconds (performance.now in production, a fake in tests). */
export interface MonotonicClock {
  now(): number;
}

export const monotonicClock: MonotonicClock = { now: () => performance.now() };

export interface LivenessOptions {
  /** Silence after which a node is NotReady. */
  notReadyAfterMs: number;
  /** Silence after which a node is Lost (its replicas get rescheduled). */
  lostAfterMs: number;
  /** How often `tick()` is called; a tick later than this plus the tolerance means our loop stalled. */
  tickIntervalMs: number;
  lagToleranceMs: number;
  /** Cap on the stall time credited to a silent node (default lostAfterMs), so a dead node is still judged. */
  maxLagCreditMs?: number;
  /** Wait before retrying a transition whose append failed (default 1000). */
  retryAfterMs?: number;
}

export type NodeRegistration = EventData<'NodeRegistered'>;

/** A node as the log (read model) says it is, loaded when the lease is taken. */
export interface KnownNode {
  name: string;
  streamVersion: number;
  condition: NodeCondition;
  registration: NodeRegistration | null;
}

export type LivenessEvent =
  | { type: 'NodeRegistered'; data: NodeRegistration }
  | { type: 'NodeReady'; data: Record<string, never> }
  | { type: 'NodeNotReady'; data: { reason: string } }
  | { type: 'NodeLost'; data: { reason: string } };

/** Events to append to `node:<node>` at `expectedVersion` (-1: the stream must not exist). */
export interface LivenessDecision {
  node: string;
  expectedVersion: number;
  events: LivenessEvent[];
  silenceMs: number;
  generation: number;
}

/** An event of the node stream, as read back after a version conflict. */
export interface StreamEvent {
  type: string;
  data: unknown;
  streamVersion: number;
}

export type AppendOutcome =
  | { kind: 'appended'; streamVersion: number }
  | { kind: 'conflict'; newerEvents: StreamEvent[] }
  | { kind: 'failed' };

interface TrackedNode {
  name: string;
  recorded: { version: number; condition: NodeCondition; registration: NodeRegistration | null };
  /** Monotonic time of the last accepted heartbeat, or of the grace period's start. */
  lastHeartbeatAt: number;
  hasHeartbeat: boolean;
  /** Stall time of our own event loop since the last heartbeat: not the node's fault. */
  lagCredit: number;
  observed: NodeRegistration | null;
  /** registrationKey of `observed` and of `recorded.registration`, computed once per change (hot path: every heartbeat and tick). */
  observedKey: string | null;
  recordedKey: string | null;
  lastSeq: number;
  lastSentAt: number;
  inFlight: LivenessDecision | null;
  retryAt: number;
}

export const NOT_READY_REASON = 'HeartbeatMissed';
export const LOST_REASON = 'HeartbeatTimeout';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What a re-registration is about: identity and what the scheduler places by. */
function registrationKey(r: NodeRegistration): string {
  const taints = [...r.taints].map(canonical).sort();
  return canonical({ bootId: r.bootId, address: r.address, labels: r.labels, taints, capacity: r.capacity, allocatable: r.allocatable });
}

function registrationOf(heartbeat: NodeHeartbeat): NodeRegistration {
  return {
    address: heartbeat.address,
    bootId: heartbeat.bootId,
    labels: heartbeat.labels,
    taints: heartbeat.taints,
    capacity: heartbeat.capacity,
    allocatable: heartbeat.allocatable,
    info: heartbeat.info,
  };
}

/**
 * Node liveness as a plain state machine over heartbeats and a monotonic clock.
 *
 * It compares what it observes (heartbeats, silence) with what the log recorded and proposes
 * the events that close the gap; the caller appends them with the expected version and
 * reports back with `settle`. One decision per node is in flight at a time.
 *
 * Guards: silence is measured on a monotonic clock; a tick that comes late (our own loop was
 * blocked) judges nobody and credits the stall to every node, since their heartbeats may be
 * waiting unread in our socket; stale heartbeats (an older seq, or an earlier process of the
 * node) are ignored so they cannot flip the registration back and forth.
 */
export class LivenessTracker {
  private readonly nodes = new Map<string, TrackedNode>();
  private generation = 0;
  private active = false;
  private suspended = false;
  private lastTickAt: number | null = null;
  private stallCount = 0;

  constructor(
    private readonly options: LivenessOptions,
    private readonly clock: MonotonicClock = monotonicClock,
  ) {
    if (options.lostAfterMs <= options.notReadyAfterMs) throw new RangeError('lostAfterMs must be greater than notReadyAfterMs');
  }

  get isActive(): boolean {
    return this.active;
  }

  /** How many late ticks (event-loop stalls) were excused so far. */
  get stalls(): number {
    return this.stallCount;
  }

  get size(): number {
    return this.nodes.size;
  }

  /** Starts judging (the lease was taken): every known node gets a fresh grace period. */
  load(known: KnownNode[]): void {
    this.generation++;
    this.nodes.clear();
    const now = this.clock.now();
    for (const node of known) {
      this.nodes.set(node.name, this.track(node.name, now, { version: node.streamVersion, condition: node.condition, registration: node.registration }));
    }
    this.active = true;
    this.suspended = false;
    this.lastTickAt = null;
  }

  /** Stops judging (the lease was lost or given up); in-flight decisions are ignored when they settle. */
  stop(): void {
    this.generation++;
    this.nodes.clear();
    this.active = false;
  }

  /** Our own view of the nodes is blind (e.g. NATS disconnected): judge nobody until `resume`. */
  suspend(): void {
    this.suspended = true;
  }

  /** Sight is back: every node gets a fresh grace period, since we could not have heard it. */
  resume(): void {
    const now = this.clock.now();
    for (const node of this.nodes.values()) {
      node.lastHeartbeatAt = now;
      node.lagCredit = 0;
    }
    this.suspended = false;
    this.lastTickAt = null;
  }

  /** Records a heartbeat; returns the decision it triggers (registration, readiness), if any. */
  heartbeat(heartbeat: NodeHeartbeat): LivenessDecision | null {
    if (!this.active) return null;
    const now = this.clock.now();
    let node = this.nodes.get(heartbeat.node);
    if (!node) {
      node = this.track(heartbeat.node, now, { version: -1, condition: 'Unknown', registration: null });
      this.nodes.set(heartbeat.node, node);
    }
    if (node.observed) {
      const sameBoot = heartbeat.bootId === node.observed.bootId;
      if (sameBoot && heartbeat.seq <= node.lastSeq) return null;
      if (!sameBoot && heartbeat.sentAt < node.lastSentAt) return null;
    }
    node.observed = registrationOf(heartbeat);
    node.observedKey = registrationKey(node.observed);
    node.lastSeq = heartbeat.seq;
    node.lastSentAt = heartbeat.sentAt;
    node.lastHeartbeatAt = now;
    node.hasHeartbeat = true;
    node.lagCredit = 0;
    if (this.suspended) return null;
    return this.evaluate(node, now);
  }

  /** Judges every node; call every `tickIntervalMs`. */
  tick(): LivenessDecision[] {
    if (!this.active) return [];
    const now = this.clock.now();
    const previous = this.lastTickAt;
    this.lastTickAt = now;
    if (this.suspended) return [];
    if (previous !== null) {
      const stall = now - previous - this.options.tickIntervalMs;
      if (stall > this.options.lagToleranceMs) {
        this.stallCount++;
        const cap = this.options.maxLagCreditMs ?? this.options.lostAfterMs;
        for (const node of this.nodes.values()) node.lagCredit = Math.min(node.lagCredit + stall, cap);
        return [];
      }
    }
    const decisions: LivenessDecision[] = [];
    for (const node of this.nodes.values()) {
      const decision = this.evaluate(node, now);
      if (decision) decisions.push(decision);
    }
    return decisions;
  }

  /** The append of a decision finished: fold what the log now says. */
  settle(decision: LivenessDecision, outcome: AppendOutcome): void {
    if (decision.generation !== this.generation) return;
    const node = this.nodes.get(decision.node);
    if (!node || node.inFlight !== decision) return;
    node.inFlight = null;
    if (outcome.kind === 'appended') {
      decision.events.forEach((event, i) => this.fold(node, { ...event, streamVersion: decision.expectedVersion + 1 + i }));
      node.recorded.version = outcome.streamVersion;
    } else if (outcome.kind === 'conflict') {
      for (const event of outcome.newerEvents) if (event.streamVersion > node.recorded.version) this.fold(node, event);
    } else {
      node.retryAt = this.clock.now() + (this.options.retryAfterMs ?? 1_000);
    }
  }

  /** What the tracker believes about one node (for logs, metrics and tests). */
  inspect(name: string): { condition: NodeCondition; version: number; silenceMs: number; pending: boolean } | null {
    const node = this.nodes.get(name);
    if (!node) return null;
    return {
      condition: node.recorded.condition,
      version: node.recorded.version,
      silenceMs: this.silence(node, this.clock.now()),
      pending: node.inFlight !== null,
    };
  }

  private track(name: string, now: number, recorded: TrackedNode['recorded']): TrackedNode {
    return {
      name,
      recorded: { ...recorded },
      lastHeartbeatAt: now,
      hasHeartbeat: false,
      lagCredit: 0,
      observed: null,
      observedKey: null,
      recordedKey: recorded.registration ? registrationKey(recorded.registration) : null,
      lastSeq: -1,
      lastSentAt: 0,
      inFlight: null,
      retryAt: 0,
    };
  }

  private silence(node: TrackedNode, now: number): number {
    return Math.max(0, now - node.lastHeartbeatAt - node.lagCredit);
  }

  private evaluate(node: TrackedNode, now: number): LivenessDecision | null {
    if (node.inFlight || now < node.retryAt) return null;
    const silence = this.silence(node, now);
    const { condition, registration, version } = node.recorded;
    const events: LivenessEvent[] = [];
    if (node.hasHeartbeat && silence < this.options.notReadyAfterMs) {
      if (node.observed && (!registration || node.recordedKey !== node.observedKey)) {
        events.push({ type: 'NodeRegistered', data: node.observed });
      }
      if (condition !== 'Ready') events.push({ type: 'NodeReady', data: {} });
    } else if (version >= 0 && silence >= this.options.lostAfterMs) {
      if (condition !== 'Lost') events.push({ type: 'NodeLost', data: { reason: LOST_REASON } });
    } else if (version >= 0 && silence >= this.options.notReadyAfterMs) {
      if (condition === 'Ready' || condition === 'Unknown') events.push({ type: 'NodeNotReady', data: { reason: NOT_READY_REASON } });
    }
    if (events.length === 0) return null;
    const decision = { node: node.name, expectedVersion: version, events, silenceMs: silence, generation: this.generation };
    node.inFlight = decision;
    return decision;
  }

  private fold(node: TrackedNode, event: StreamEvent): void {
    if (event.type === 'NodeRegistered') {
      node.recorded.registration = event.data as NodeRegistration;
      node.recordedKey = registrationKey(node.recorded.registration);
    }
    else if (event.type === 'NodeReady') node.recorded.condition = 'Ready';
    else if (event.type === 'NodeNotReady') node.recorded.condition = 'NotReady';
    else if (event.type === 'NodeLost') node.recorded.condition = 'Lost';
    node.recorded.version = Math.max(node.recorded.version, event.streamVersion);
  }
}
