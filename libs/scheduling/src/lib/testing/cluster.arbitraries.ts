// fast-check generators of small, constraint-dense clusters: few label values so selectors, taints and
// topology domains collide often and the interesting edges (full nodes, skew limits, conflicts) are hit.
import fc from 'fast-check';
import {
  BoundReplica,
  ClusterNode,
  ClusterSnapshot,
  NodeSelectorRequirement,
  PodAffinityTerm,
  ReplicaSpec,
  Taint,
  Toleration,
  TopologySpreadConstraint,
} from '../types';

const MI = 1024 ** 2;
const HOSTNAME = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';

const TAINTS: Taint[] = [
  { key: 'dedicated', value: 'x', effect: 'NoSchedule' },
  { key: 'gpu', effect: 'NoExecute' },
  { key: 'spot', value: 'true', effect: 'PreferNoSchedule' },
];

const TOLERATIONS: Toleration[] = [
  { key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' },
  { key: 'dedicated', operator: 'Equal', value: 'y' },
  { key: 'gpu', operator: 'Exists' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists' },
];

/** `arb` in `percent`% of cases, otherwise undefined. */
function sometimes<T>(arb: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: 100 - percent }, { arbitrary: arb, weight: percent });
}

const nodeSpec = fc.record({
  zone: sometimes(fc.constantFrom('a', 'b', 'c'), 85),
  disk: sometimes(fc.constantFrom('ssd', 'hdd'), 60),
  gen: sometimes(fc.constantFrom('1', '2', '3', '4'), 60),
  taints: fc.oneof({ arbitrary: fc.constant([]), weight: 3 }, { arbitrary: fc.subarray(TAINTS, { minLength: 1, maxLength: 2 }), weight: 1 }),
  cpu: fc.constantFrom(0, 500, 1000, 2000, 2000, 4000),
  mem: fc.constantFrom(0, 1024, 2048, 4096, 4096, 8192),
  pods: fc.constantFrom(undefined, undefined, 1, 3, 6),
  notReady: fc.integer({ min: 0, max: 14 }),
  cordoned: fc.integer({ min: 0, max: 14 }),
  ports: fc.subarray([80, 443], { maxLength: 1 }),
});

export function nodesArb(min = 1, max = 7): fc.Arbitrary<ClusterNode[]> {
  return fc.array(nodeSpec, { minLength: min, maxLength: max }).map((specs) =>
    specs.map((s, i) => {
      const labels: Record<string, string> = {};
      if (s.zone) labels[ZONE] = s.zone;
      if (s.disk) labels['disk'] = s.disk;
      if (s.gen) labels['gen'] = s.gen;
      return {
        name: `n${i}`,
        labels,
        taints: s.taints,
        allocatable: { cpuMilli: s.cpu, memoryBytes: s.mem * MI, pods: s.pods },
        ready: s.notReady !== 0,
        unschedulable: s.cordoned === 0,
        usedHostPorts: s.ports,
      };
    }),
  );
}

const expressionArb: fc.Arbitrary<NodeSelectorRequirement> = fc.oneof(
  fc.record({ key: fc.constantFrom('disk', ZONE), operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.subarray(['ssd', 'hdd', 'a', 'b'], { minLength: 1 }) }),
  fc.record({ key: fc.constantFrom('disk', 'gen'), operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
  fc.record({ key: fc.constant('gen'), operator: fc.constantFrom('Gt' as const, 'Lt' as const), values: fc.constantFrom(['1'], ['2'], ['3']) }),
);

const appSelector = fc.constantFrom('a0', 'a1').map((app) => ({ matchLabels: { app } }));

const antiTermArb: fc.Arbitrary<PodAffinityTerm> = fc.record({
  labelSelector: appSelector,
  topologyKey: fc.constantFrom(HOSTNAME, HOSTNAME, ZONE),
  namespaces: sometimes(fc.constantFrom(['default'], ['default', 'other']), 30),
});

const spreadArb: fc.Arbitrary<TopologySpreadConstraint> = fc.record({
  maxSkew: fc.constantFrom(1, 1, 2),
  topologyKey: fc.constantFrom(HOSTNAME, ZONE),
  whenUnsatisfiable: fc.constantFrom('DoNotSchedule' as const, 'DoNotSchedule' as const, 'ScheduleAnyway' as const),
  labelSelector: appSelector,
});

/** A deployment template; replicas are stamped from it with their own uid. */
export type Template = Omit<ReplicaSpec, 'uid'>;

export const templateArb: fc.Arbitrary<Template> = fc
  .record({
    ns: fc.constantFrom('default', 'default', 'other'),
    app: fc.constantFrom('a0', 'a1', 'a2'),
    priority: fc.constantFrom(0, 0, 10, 100),
    cpu: fc.constantFrom(0, 100, 300, 700),
    mem: fc.constantFrom(0, 256, 512, 1024),
    ports: fc.constantFrom<number[] | undefined>(undefined, undefined, [80], [8080]),
    nodeSelector: sometimes(fc.constantFrom<Record<string, string>>({ disk: 'ssd' }, { [ZONE]: 'a' }), 20),
    required: sometimes(fc.array(fc.array(expressionArb, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 }), 20),
    preferred: sometimes(fc.array(fc.record({ weight: fc.integer({ min: 1, max: 100 }), expr: expressionArb }), { maxLength: 2 }), 30),
    tolerations: fc.subarray(TOLERATIONS, { maxLength: 2 }),
    anti: sometimes(fc.array(antiTermArb, { minLength: 1, maxLength: 2 }), 25),
    preferredAnti: sometimes(fc.array(fc.record({ weight: fc.integer({ min: 1, max: 100 }), term: antiTermArb }), { maxLength: 2 }), 25),
    spread: sometimes(fc.array(spreadArb, { minLength: 1, maxLength: 2 }), 30),
    strategy: fc.constantFrom(undefined, 'LeastAllocated' as const, 'MostAllocated' as const),
  })
  .map(
    (t): Template => ({
      namespace: t.ns,
      deployment: `d-${t.app}`,
      labels: { app: t.app },
      priority: t.priority,
      requests: { cpuMilli: t.cpu, memoryBytes: t.mem * MI },
      hostPorts: t.ports,
      nodeSelector: t.nodeSelector,
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: t.required
            ? { nodeSelectorTerms: t.required.map((matchExpressions) => ({ matchExpressions })) }
            : undefined,
          preferredDuringSchedulingIgnoredDuringExecution: t.preferred?.map((p) => ({ weight: p.weight, preference: { matchExpressions: [p.expr] } })),
        },
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: t.anti,
          preferredDuringSchedulingIgnoredDuringExecution: t.preferredAnti?.map((p) => ({ weight: p.weight, podAffinityTerm: p.term })),
        },
      },
      tolerations: t.tolerations,
      topologySpreadConstraints: t.spread,
      scoringStrategy: t.strategy,
    }),
  );

/** Templates that all spread or repel: small requests, no host ports, so topology rules decide. */
export const topologyTemplateArb: fc.Arbitrary<Template> = fc
  .tuple(templateArb, fc.array(spreadArb, { minLength: 1, maxLength: 2 }), sometimes(fc.array(antiTermArb, { minLength: 1, maxLength: 1 }), 40))
  .map(([t, spread, anti]) => ({
    ...t,
    hostPorts: undefined,
    requests: { cpuMilli: 10, memoryBytes: MI },
    topologySpreadConstraints: spread,
    affinity: { ...t.affinity, podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: anti } },
  }));

export interface Scenario {
  readonly snapshot: ClusterSnapshot;
  readonly pending: ReplicaSpec[];
}

/** A cluster, some replicas already bound anywhere (possibly breaking rules, as reality may), and a queue to place. */
export function scenarioArb(
  options: { minNodes?: number; maxNodes?: number; maxPending?: number; maxBound?: number; templates?: fc.Arbitrary<Template> } = {},
): fc.Arbitrary<Scenario> {
  const { minNodes = 1, maxNodes = 7, maxPending = 25, maxBound = 6, templates = templateArb } = options;
  return fc
    .record({
      nodes: nodesArb(minNodes, maxNodes),
      templates: fc.array(templates, { minLength: 1, maxLength: 4 }),
      pendingPicks: fc.array(fc.nat(), { maxLength: maxPending }),
      boundPicks: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: maxBound }),
      percentage: fc.constantFrom(0, 0, 5, 30, 100),
      strategy: fc.constantFrom(undefined, 'LeastAllocated' as const, 'MostAllocated' as const),
      seed: fc.nat(),
    })
    .map(({ nodes, templates, pendingPicks, boundPicks, percentage, strategy, seed }) => {
      const bound: BoundReplica[] = boundPicks.map(([t, n], i) => ({
        ...templates[t % templates.length],
        uid: `b${i}`,
        node: nodes[n % nodes.length].name,
      }));
      const pending: ReplicaSpec[] = pendingPicks.map((t, i) => ({ ...templates[t % templates.length], uid: `r${i}` }));
      return { snapshot: { nodes, replicas: bound, options: { percentageOfNodesToScore: percentage, scoringStrategy: strategy, seed } }, pending };
    });
}
