import { ClusterState, DomainCounter, HOSTNAME_KEY, HolderTerm, NodeFilter, PodGroup, PodMatcher, ZONE_KEY } from './cluster-state';
import { StaticFeasibility } from './feasibility';
import { matchesLabelSelector } from './label-selector';
import { ReplicaSpec, ScoringStrategy, TopologySpreadConstraint } from './types';

/** A DoNotSchedule spread constraint bound to its live counter; `min` is refreshed before each filtering pass. */
export interface SpreadFilter {
  readonly counter: DomainCounter;
  readonly counts: Int32Array;
  readonly nodeDomain: Int32Array;
  readonly maxSkew: number;
  /** 1 when the replica itself matches the selector (it will add to the domain it lands in). */
  readonly selfMatch: number;
  min: number;
}

/** A live per-domain count used by a filter (weight unused) or a score. */
export interface TermRef {
  readonly counts: Int32Array;
  readonly nodeDomain: Int32Array;
  readonly weight: number;
  /** Added when the node has the topology label (kube's maxSkew - 1 for spread scoring). */
  readonly offset: number;
}

/** Kubernetes' system default spreading, applied when a replica declares no constraints of its own. */
const DEFAULT_SPREAD: readonly { topologyKey: string; maxSkew: number }[] = [
  { topologyKey: HOSTNAME_KEY, maxSkew: 3 },
  { topologyKey: ZONE_KEY, maxSkew: 5 },
];

/** Everything about a replica template the hot loop needs, resolved to typed arrays once per template. */
export class ReplicaProfile {
  constructor(
    readonly statics: StaticFeasibility,
    readonly group: PodGroup,
    readonly mostAllocated: boolean,
    readonly antiTerms: readonly TermRef[],
    readonly holds: readonly HolderTerm[],
    readonly spreadFilters: readonly SpreadFilter[],
    readonly spreadScores: readonly TermRef[],
    readonly preferredAnti: readonly TermRef[],
  ) {}

  /** Spread minimums change as replicas bind; read them once per filtering pass. */
  refreshSpread(): void {
    const filters = this.spreadFilters;
    for (let i = 0; i < filters.length; i++) filters[i].min = filters[i].counter.minOverEligible();
  }
}

export function profileKey(replica: ReplicaSpec, strategy: ScoringStrategy): string {
  return JSON.stringify([
    replica.namespace,
    replica.deployment,
    replica.labels ?? null,
    replica.nodeSelector ?? null,
    replica.affinity ?? null,
    replica.tolerations ?? null,
    replica.topologySpreadConstraints ?? null,
    strategy,
  ]);
}

function termRef(counter: DomainCounter, weight: number, offset: number): TermRef {
  return { counts: counter.counts, nodeDomain: counter.nodeDomain, weight, offset };
}

function spreadNodeFilter(
  state: ClusterState,
  statics: StaticFeasibility,
  hard: readonly TopologySpreadConstraint[],
  cache: Map<string, NodeFilter>,
): NodeFilter {
  const keys = [...new Set(hard.map((c) => c.topologyKey))].sort();
  const key = `${statics.key}\u0000${JSON.stringify(keys)}`;
  let filter = cache.get(key);
  if (!filter) {
    const pass = Uint8Array.from(statics.affinityPass);
    for (const topologyKey of keys) {
      const domains = state.topology(topologyKey).nodeDomain;
      for (let n = 0; n < pass.length; n++) if (domains[n] < 0) pass[n] = 0;
    }
    filter = new NodeFilter(key, pass);
    cache.set(key, filter);
  }
  return filter;
}

export function compileProfile(
  state: ClusterState,
  replica: ReplicaSpec,
  statics: StaticFeasibility,
  strategy: ScoringStrategy,
  filterCache: Map<string, NodeFilter>,
): ReplicaProfile {
  const ns = replica.namespace;
  const group = state.group(ns, replica.deployment, replica.labels);
  const anti = replica.affinity?.podAntiAffinity;
  const antiTerms = (anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((term) =>
    termRef(state.counter(PodMatcher.bySelector(term.labelSelector, term.namespaces ?? [ns]), term.topologyKey, null), 1, 0),
  );
  const preferredAnti = (anti?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
    .filter((w) => w.weight !== 0)
    .map((w) =>
      termRef(
        state.counter(
          PodMatcher.bySelector(w.podAffinityTerm.labelSelector, w.podAffinityTerm.namespaces ?? [ns]),
          w.podAffinityTerm.topologyKey,
          null,
        ),
        w.weight,
        0,
      ),
    );

  const constraints = replica.topologySpreadConstraints ?? [];
  const hard = constraints.filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
  const filter = hard.length > 0 ? spreadNodeFilter(state, statics, hard, filterCache) : null;
  const spreadFilters: SpreadFilter[] = hard.map((c) => {
    const counter = state.counter(PodMatcher.bySelector(c.labelSelector, [ns]), c.topologyKey, filter);
    return {
      counter,
      counts: counter.counts,
      nodeDomain: counter.nodeDomain,
      maxSkew: c.maxSkew,
      selfMatch: matchesLabelSelector(c.labelSelector, replica.labels) ? 1 : 0,
      min: 0,
    };
  });

  const spreadScores: TermRef[] = [];
  if (constraints.length > 0) {
    for (const c of constraints) {
      if (c.whenUnsatisfiable !== 'ScheduleAnyway') continue;
      const counter = state.counter(PodMatcher.bySelector(c.labelSelector, [ns]), c.topologyKey, null);
      spreadScores.push(termRef(counter, Math.log(counter.topology.domainCount + 2), c.maxSkew - 1));
    }
  } else if (strategy === 'LeastAllocated') {
    // Bin-packing replicas skip default spreading: it would fight the strategy they asked for.
    const owner = PodMatcher.byOwner(ns, replica.deployment);
    for (const d of DEFAULT_SPREAD) {
      const counter = state.counter(owner, d.topologyKey, null);
      if (counter.topology.domainCount === 0) continue;
      spreadScores.push(termRef(counter, Math.log(counter.topology.domainCount + 2), d.maxSkew - 1));
    }
  }

  return new ReplicaProfile(
    statics,
    group,
    strategy === 'MostAllocated',
    antiTerms,
    state.holdTermsOf(replica),
    spreadFilters,
    spreadScores,
    preferredAnti,
  );
}
