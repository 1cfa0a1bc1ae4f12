import { InvalidSnapshot } from './errors';
import { fnv1a } from './hash';
import { matchesLabelSelector } from './label-selector';
import { ClusterNode, LabelSelector, Labels, ReplicaSpec } from './types';

export const HOSTNAME_KEY = 'kubernetes.io/hostname';
export const ZONE_KEY = 'topology.kubernetes.io/zone';

const EMPTY_LABELS: Labels = Object.freeze({});
const NO_PORTS: readonly number[] = Object.freeze([]);

/** Node -> domain id for one topology key; -1 where the node lacks the label. */
export class TopologyIndex {
  readonly nodeDomain: Int32Array;
  readonly domainCount: number;
  readonly domainNames: string[] = [];

  constructor(
    readonly key: string,
    nodes: readonly ClusterNode[],
  ) {
    this.nodeDomain = new Int32Array(nodes.length);
    const ids = new Map<string, number>();
    for (let n = 0; n < nodes.length; n++) {
      // Kubelets always set the hostname label; default it so snapshots need not repeat the name.
      const value = nodes[n].labels?.[key] ?? (key === HOSTNAME_KEY ? nodes[n].name : undefined);
      if (value === undefined) {
        this.nodeDomain[n] = -1;
        continue;
      }
      let id = ids.get(value);
      if (id === undefined) {
        id = ids.size;
        ids.set(value, id);
        this.domainNames.push(value);
      }
      this.nodeDomain[n] = id;
    }
    this.domainCount = ids.size;
  }
}

/** Replicas sharing namespace, owner and labels: every matcher treats them alike, so counts are kept per group. */
export class PodGroup {
  /** node index -> replicas of this group bound there */
  readonly nodeCounts = new Map<number, number>();
  /** Counters whose matcher selects this group: updated on every bind/unbind. */
  readonly counters: DomainCounter[] = [];
  /** Required anti-affinity terms of bound replicas that select this group (the symmetric check). */
  readonly selectedBy: HolderTerm[] = [];

  constructor(
    readonly namespace: string,
    readonly deployment: string,
    readonly labels: Labels,
  ) {}
}

/** Selects replicas by namespaces + label selector (affinity, spread) or by owner deployment (default spreading). */
export class PodMatcher {
  private constructor(
    readonly key: string,
    private readonly namespaces: ReadonlySet<string> | null,
    private readonly selector: LabelSelector | undefined,
    private readonly owner: string | undefined,
  ) {}

  static bySelector(selector: LabelSelector | undefined, namespaces: readonly string[]): PodMatcher {
    const ns = [...new Set(namespaces)].sort();
    return new PodMatcher(`sel:${JSON.stringify([ns, selector ?? null])}`, new Set(ns), selector, undefined);
  }

  static byOwner(namespace: string, deployment: string): PodMatcher {
    return new PodMatcher(`own:${JSON.stringify([namespace, deployment])}`, new Set([namespace]), undefined, deployment);
  }

  matches(group: PodGroup): boolean {
    if (this.namespaces && !this.namespaces.has(group.namespace)) return false;
    if (this.owner !== undefined) return group.deployment === this.owner;
    return matchesLabelSelector(this.selector, group.labels);
  }
}

/** Nodes a counter looks at (spread constraints count only nodes the replica could be placed on by affinity). */
export class NodeFilter {
  constructor(
    readonly key: string,
    readonly pass: Uint8Array,
  ) {}
}

/** Live count of matching replicas per topology domain, plus the minimum over eligible domains for spreading. */
export class DomainCounter {
  readonly counts: Int32Array;
  readonly nodeDomain: Int32Array;
  private eligible: Int32Array | null = null;
  private eligibleMask: Uint8Array | null = null;
  private min = 0;
  private numAtMin = 0;
  private stale = true;

  constructor(
    readonly matcher: PodMatcher,
    readonly topology: TopologyIndex,
    readonly filter: NodeFilter | null,
  ) {
    this.counts = new Int32Array(topology.domainCount);
    this.nodeDomain = topology.nodeDomain;
  }

  add(node: number, delta: number): void {
    const filter = this.filter;
    if (filter !== null && filter.pass[node] === 0) return;
    const d = this.nodeDomain[node];
    if (d < 0) return;
    const before = this.counts[d];
    this.counts[d] = before + delta;
    const mask = this.eligibleMask;
    if (mask === null || this.stale || mask[d] === 0) return;
    if (delta < 0) this.stale = true;
    else if (before === this.min && --this.numAtMin === 0) this.stale = true;
  }

  /** Minimum count over domains holding at least one node that passes the filter (kube's minMatchNum). */
  minOverEligible(): number {
    if (this.eligible === null) this.computeEligible();
    if (this.stale) {
      const eligible = this.eligible as Int32Array;
      let min = eligible.length === 0 ? 0 : 0x7fffffff;
      let at = 0;
      for (let i = 0; i < eligible.length; i++) {
        const c = this.counts[eligible[i]];
        if (c < min) {
          min = c;
          at = 1;
        } else if (c === min) at++;
      }
      this.min = min;
      this.numAtMin = at;
      this.stale = eligible.length === 0;
    }
    return this.min;
  }

  private computeEligible(): void {
    const mask = new Uint8Array(this.topology.domainCount);
    const list: number[] = [];
    for (let n = 0; n < this.nodeDomain.length; n++) {
      const d = this.nodeDomain[n];
      if (d < 0 || mask[d] === 1) continue;
      if (this.filter !== null && this.filter.pass[n] === 0) continue;
      mask[d] = 1;
      list.push(d);
    }
    this.eligible = Int32Array.from(list);
    this.eligibleMask = mask;
    this.stale = true;
  }
}

/** A required anti-affinity term held by bound replicas: how many holders per domain. */
export class HolderTerm {
  readonly counts: Int32Array;
  readonly nodeDomain: Int32Array;

  constructor(
    readonly matcher: PodMatcher,
    readonly topology: TopologyIndex,
  ) {
    this.counts = new Int32Array(topology.domainCount);
    this.nodeDomain = topology.nodeDomain;
  }
}

export interface PodRecord {
  readonly uid: string;
  readonly spec: ReplicaSpec;
  readonly node: number;
  readonly group: PodGroup;
  readonly cpu: number;
  readonly mem: number;
  readonly priority: number;
  readonly hostPorts: readonly number[];
  readonly holds: readonly HolderTerm[];
  /** Position in podsByNode[node], for O(1) removal. */
  slot: number;
}

function finiteNonNegative(value: number, what: string): number {
  if (!(value >= 0) || value === Infinity) throw new InvalidSnapshot(`${what} must be a finite number >= 0, got ${value}`);
  return value;
}

/** Indexed, mutable view of a snapshot: per-node usage arrays and incremental per-domain counters. */
export class ClusterState {
  readonly nodes: readonly ClusterNode[];
  readonly names: readonly string[];
  readonly indexByName = new Map<string, number>();
  readonly size: number;
  readonly capCpu: Float64Array;
  readonly capMem: Float64Array;
  readonly capPods: Float64Array;
  readonly allocCpu: Float64Array;
  readonly allocMem: Float64Array;
  readonly podCount: Int32Array;
  readonly nodePorts: (Map<number, number> | undefined)[];
  readonly nodeHash: Uint32Array;
  readonly podsByNode: PodRecord[][];
  readonly pods = new Map<string, PodRecord>();
  private readonly topologies = new Map<string, TopologyIndex>();
  private readonly groups = new Map<string, PodGroup>();
  private readonly counters = new Map<string, DomainCounter>();
  private readonly holderTerms = new Map<string, HolderTerm>();

  constructor(nodes: readonly ClusterNode[]) {
    // Sorted by name so results do not depend on the order nodes were listed in.
    const sorted = [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.nodes = sorted;
    this.size = sorted.length;
    const n = sorted.length;
    this.capCpu = new Float64Array(n);
    this.capMem = new Float64Array(n);
    this.capPods = new Float64Array(n);
    this.allocCpu = new Float64Array(n);
    this.allocMem = new Float64Array(n);
    this.podCount = new Int32Array(n);
    this.nodeHash = new Uint32Array(n);
    this.nodePorts = new Array<Map<number, number> | undefined>(n);
    this.podsByNode = new Array<PodRecord[]>(n);
    const names: string[] = [];
    for (let i = 0; i < n; i++) {
      const node = sorted[i];
      if (this.indexByName.has(node.name)) throw new InvalidSnapshot(`duplicate node name ${node.name}`);
      this.indexByName.set(node.name, i);
      names.push(node.name);
      this.capCpu[i] = finiteNonNegative(node.allocatable.cpuMilli, `node ${node.name} allocatable.cpuMilli`);
      this.capMem[i] = finiteNonNegative(node.allocatable.memoryBytes, `node ${node.name} allocatable.memoryBytes`);
      this.capPods[i] = node.allocatable.pods === undefined ? Infinity : finiteNonNegative(node.allocatable.pods, `node ${node.name} allocatable.pods`);
      this.nodeHash[i] = fnv1a(node.name);
      this.podsByNode[i] = [];
      if (node.usedHostPorts && node.usedHostPorts.length > 0) {
        const ports = new Map<number, number>();
        for (const p of node.usedHostPorts) ports.set(p, (ports.get(p) ?? 0) + 1);
        this.nodePorts[i] = ports;
      }
    }
    this.names = names;
  }

  topology(key: string): TopologyIndex {
    let topo = this.topologies.get(key);
    if (!topo) {
      topo = new TopologyIndex(key, this.nodes);
      this.topologies.set(key, topo);
    }
    return topo;
  }

  group(namespace: string, deployment: string, labels: Labels | undefined): PodGroup {
    const own = labels ?? EMPTY_LABELS;
    const key = `${namespace}\u0000${deployment}\u0000${JSON.stringify(own)}`;
    let group = this.groups.get(key);
    if (!group) {
      group = new PodGroup(namespace, deployment, own);
      for (const counter of this.counters.values()) if (counter.matcher.matches(group)) group.counters.push(counter);
      for (const term of this.holderTerms.values()) if (term.matcher.matches(group)) group.selectedBy.push(term);
      this.groups.set(key, group);
    }
    return group;
  }

  counter(matcher: PodMatcher, topologyKey: string, filter: NodeFilter | null): DomainCounter {
    const key = `${matcher.key}\u0000${topologyKey}\u0000${filter?.key ?? ''}`;
    let counter = this.counters.get(key);
    if (!counter) {
      counter = new DomainCounter(matcher, this.topology(topologyKey), filter);
      for (const group of this.groups.values()) {
        if (!matcher.matches(group)) continue;
        group.counters.push(counter);
        for (const [node, count] of group.nodeCounts) counter.add(node, count);
      }
      this.counters.set(key, counter);
    }
    return counter;
  }

  holderTerm(matcher: PodMatcher, topologyKey: string): HolderTerm {
    const key = `${matcher.key}\u0000${topologyKey}`;
    let term = this.holderTerms.get(key);
    if (!term) {
      term = new HolderTerm(matcher, this.topology(topologyKey));
      for (const group of this.groups.values()) if (matcher.matches(group)) group.selectedBy.push(term);
      this.holderTerms.set(key, term);
    }
    return term;
  }

  /** Required anti-affinity terms a replica imposes on others once bound. */
  holdTermsOf(spec: ReplicaSpec): HolderTerm[] {
    const required = spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (!required || required.length === 0) return [];
    return required.map((term) =>
      this.holderTerm(PodMatcher.bySelector(term.labelSelector, term.namespaces ?? [spec.namespace]), term.topologyKey),
    );
  }

  bind(spec: ReplicaSpec, node: number, group: PodGroup, holds: readonly HolderTerm[]): PodRecord {
    if (this.pods.has(spec.uid)) throw new InvalidSnapshot(`replica ${spec.uid} is bound twice`);
    const record: PodRecord = {
      uid: spec.uid,
      spec,
      node,
      group,
      cpu: spec.requests.cpuMilli,
      mem: spec.requests.memoryBytes,
      priority: spec.priority ?? 0,
      hostPorts: spec.hostPorts ?? NO_PORTS,
      holds,
      slot: this.podsByNode[node].length,
    };
    this.podsByNode[node].push(record);
    this.pods.set(record.uid, record);
    this.apply(record, 1);
    return record;
  }

  unbind(uid: string): PodRecord | undefined {
    const record = this.pods.get(uid);
    if (!record) return undefined;
    this.pods.delete(uid);
    const list = this.podsByNode[record.node];
    const last = list.pop() as PodRecord;
    if (last !== record) {
      list[record.slot] = last;
      last.slot = record.slot;
    }
    this.apply(record, -1);
    return record;
  }

  /** Re-binds a record taken out by unbind (preemption simulation). */
  rebind(record: PodRecord): void {
    record.slot = this.podsByNode[record.node].length;
    this.podsByNode[record.node].push(record);
    this.pods.set(record.uid, record);
    this.apply(record, 1);
  }

  private apply(record: PodRecord, delta: 1 | -1): void {
    const n = record.node;
    this.allocCpu[n] += delta * record.cpu;
    this.allocMem[n] += delta * record.mem;
    this.podCount[n] += delta;
    if (record.hostPorts.length > 0) {
      let ports = this.nodePorts[n];
      if (!ports) this.nodePorts[n] = ports = new Map<number, number>();
      for (const p of record.hostPorts) {
        const next = (ports.get(p) ?? 0) + delta;
        if (next > 0) ports.set(p, next);
        else ports.delete(p);
      }
    }
    const group = record.group;
    const nodeCount = (group.nodeCounts.get(n) ?? 0) + delta;
    if (nodeCount > 0) group.nodeCounts.set(n, nodeCount);
    else group.nodeCounts.delete(n);
    const counters = group.counters;
    for (let i = 0; i < counters.length; i++) counters[i].add(n, delta);
    for (const term of record.holds) {
      const d = term.nodeDomain[n];
      if (d >= 0) term.counts[d] += delta;
    }
  }
}
