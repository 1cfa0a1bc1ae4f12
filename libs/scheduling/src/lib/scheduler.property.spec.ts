import fc from 'fast-check';
import { Unschedulable } from './errors';
import { FILTER_NAMES } from './reasons';
import { findPreemption, scheduleBatch, scheduleOne } from './scheduler';
import { oracleBestPreemption, oracleFeasibleNodes, oracleFits } from './testing/brute-force.oracle';
import { Scenario, scenarioArb, topologyTemplateArb } from './testing/cluster.arbitraries';
import { BoundReplica, ReplicaSpec } from './types';

function sumFilterFailures(failure: Unschedulable): number {
  return FILTER_NAMES.reduce((total, f) => total + (failure.filterFailures[f] ?? 0), 0);
}

/** Replays a batch's decisions in order against the oracle: each placement legal then, each failure total. */
function checkBatch({ snapshot, pending }: Scenario): void {
  const result = scheduleBatch(snapshot, pending);
  expect(result.results).toHaveLength(pending.length);
  expect(result.placements.length + result.failures.length).toBe(pending.length);
  const byUid = new Map(pending.map((r) => [r.uid, r]));
  const bound: BoundReplica[] = [...(snapshot.replicas ?? [])];
  let lastPriority = Infinity;
  for (const decision of result.results) {
    const replica = byUid.get(decision.replica) as ReplicaSpec;
    const priority = replica.priority ?? 0;
    expect(priority).toBeLessThanOrEqual(lastPriority);
    lastPriority = priority;
    if (decision.kind === 'Scheduled') {
      expect(oracleFits(snapshot.nodes, bound, replica, decision.node)).toBe(true);
      bound.push({ ...replica, node: decision.node });
    } else {
      expect(oracleFeasibleNodes(snapshot.nodes, bound, replica)).toEqual([]);
      // Every node is rejected by exactly one filter.
      expect(sumFilterFailures(decision)).toBe(snapshot.nodes.length);
    }
  }
}

describe('scheduleBatch properties', () => {
  it('never breaks a required constraint and fails only when no node fits (oracle replay)', () => {
    fc.assert(fc.property(scenarioArb(), (scenario) => checkBatch(scenario)), { numRuns: 400 });
  });

  it('keeps spread skew and anti-affinity exact when topology rules dominate', () => {
    fc.assert(fc.property(scenarioArb({ templates: topologyTemplateArb, maxPending: 40, maxNodes: 9 }), (scenario) => checkBatch(scenario)), {
      numRuns: 300,
    });
  });

  it('stays exact when only a sample of feasible nodes is scored (>= 100 nodes)', () => {
    fc.assert(
      fc.property(scenarioArb({ minNodes: 100, maxNodes: 130, maxPending: 40, maxBound: 20 }), (scenario) =>
        checkBatch({ ...scenario, snapshot: { ...scenario.snapshot, options: { ...scenario.snapshot.options, percentageOfNodesToScore: 1 } } }),
      ),
      { numRuns: 25 },
    );
  });

  it('never overcommits cpu, memory or pods on an initially empty cluster', () => {
    fc.assert(
      fc.property(scenarioArb({ maxBound: 0 }), ({ snapshot, pending }) => {
        const result = scheduleBatch(snapshot, pending);
        const byUid = new Map(pending.map((r) => [r.uid, r]));
        for (const node of snapshot.nodes) {
          const here = result.placements.filter((p) => p.node === node.name).map((p) => byUid.get(p.replica) as ReplicaSpec);
          expect(here.length).toBeLessThanOrEqual(node.allocatable.pods ?? Infinity);
          const cpu = here.reduce((a, r) => a + r.requests.cpuMilli, 0);
          const mem = here.reduce((a, r) => a + r.requests.memoryBytes, 0);
          if (here.some((r) => r.requests.cpuMilli > 0)) expect(cpu).toBeLessThanOrEqual(node.allocatable.cpuMilli);
          if (here.some((r) => r.requests.memoryBytes > 0)) expect(mem).toBeLessThanOrEqual(node.allocatable.memoryBytes);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic, whatever order the nodes are listed in', () => {
    fc.assert(
      fc.property(scenarioArb(), ({ snapshot, pending }) => {
        const first = scheduleBatch(snapshot, pending).results.map((r) => (r.kind === 'Scheduled' ? `${r.replica}@${r.node}:${r.score}` : r.message));
        const again = scheduleBatch({ ...snapshot, nodes: [...snapshot.nodes].reverse() }, pending).results.map((r) =>
          r.kind === 'Scheduled' ? `${r.replica}@${r.node}:${r.score}` : r.message,
        );
        expect(again).toEqual(first);
      }),
      { numRuns: 100 },
    );
  });
});

describe('scheduleOne properties', () => {
  it('is Unschedulable exactly when the brute-force oracle finds no node', () => {
    fc.assert(
      fc.property(scenarioArb({ maxPending: 1, maxBound: 10 }), ({ snapshot, pending }) => {
        fc.pre(pending.length === 1);
        const replica = pending[0];
        const feasible = oracleFeasibleNodes(snapshot.nodes, snapshot.replicas ?? [], replica);
        const result = scheduleOne(snapshot, replica);
        if (feasible.length === 0) {
          expect(result).toBeInstanceOf(Unschedulable);
          expect(result.kind === 'Unschedulable' && result.message.startsWith(`0/${snapshot.nodes.length} nodes are available`)).toBe(true);
        } else {
          expect(result.kind).toBe('Scheduled');
          if (result.kind === 'Scheduled') expect(feasible).toContain(result.node);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('findPreemption properties', () => {
  it('finds the cheapest legal victim set that exhaustive search finds, and only then', () => {
    fc.assert(
      fc.property(scenarioArb({ maxPending: 1, maxBound: 9, maxNodes: 4 }), ({ snapshot, pending }) => {
        fc.pre(pending.length === 1);
        const replica = { ...pending[0], priority: 50 };
        const bound = snapshot.replicas ?? [];
        const plan = findPreemption(snapshot, replica);
        if (oracleFeasibleNodes(snapshot.nodes, bound, replica).length > 0) {
          expect(plan.kind).toBe('NoPreemption');
          return;
        }
        const best = oracleBestPreemption(snapshot.nodes, bound, replica);
        if (best === null) {
          expect(plan.kind).toBe('NoPreemption');
          return;
        }
        expect(plan.kind).toBe('Preempt');
        if (plan.kind !== 'Preempt') return;
        const victims = new Set(plan.victims.map((v) => v.uid));
        for (const v of plan.victims) expect(v.priority).toBeLessThan(50);
        const rest = bound.filter((b) => !victims.has(b.uid));
        expect(bound.filter((b) => victims.has(b.uid)).every((b) => b.node === plan.node)).toBe(true);
        expect(oracleFits(snapshot.nodes, rest, replica, plan.node)).toBe(true);
        const priorities = plan.victims.map((v) => v.priority);
        const cost = [Math.max(...priorities), priorities.length, priorities.reduce((a, b) => a + b, 0)];
        expect(cost).toEqual([...best.cost]);
      }),
      { numRuns: 400 },
    );
  });

  it('returns only legal plans when a node has too many candidates to search exhaustively', () => {
    const crowded = fc.record({
      nodes: fc.integer({ min: 1, max: 2 }),
      pods: fc.array(
        fc.record({
          node: fc.integer({ min: 0, max: 1 }),
          cpu: fc.constantFrom(50, 100, 150, 300),
          priority: fc.constantFrom(0, 10, 20, 60),
          app: fc.constantFrom('a0', 'a1', 'a2'),
          port: fc.constantFrom<number[] | undefined>(undefined, undefined, undefined, [443]),
        }),
        { minLength: 11, maxLength: 30 },
      ),
      want: fc.constantFrom(200, 500, 900, 1500),
      port: fc.constantFrom<number[] | undefined>(undefined, [443]),
      anti: fc.constantFrom(undefined, 'a1'),
    });
    fc.assert(
      fc.property(crowded, (c) => {
        const nodes = Array.from({ length: c.nodes }, (_, i) => ({
          name: `n${i}`,
          allocatable: { cpuMilli: 2000, memoryBytes: 1024 ** 3 },
          ready: true,
        }));
        const bound: BoundReplica[] = c.pods.map((p, i) => ({
          uid: `b${String(i).padStart(2, '0')}`,
          namespace: 'default',
          deployment: p.app,
          labels: { app: p.app },
          priority: p.priority,
          requests: { cpuMilli: p.cpu, memoryBytes: 0 },
          hostPorts: p.port,
          node: `n${p.node % c.nodes}`,
        }));
        const replica: ReplicaSpec = {
          uid: 'vip',
          namespace: 'default',
          deployment: 'vip',
          priority: 50,
          requests: { cpuMilli: c.want, memoryBytes: 0 },
          hostPorts: c.port,
          affinity: c.anti
            ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: c.anti } }, topologyKey: 'kubernetes.io/hostname' }] } }
            : undefined,
        };
        const snapshot = { nodes, replicas: bound };
        const plan = findPreemption(snapshot, replica);
        const fitsNow = oracleFeasibleNodes(nodes, bound, replica).length > 0;
        if (plan.kind !== 'Preempt') {
          if (fitsNow) return;
          for (const n of nodes) {
            const rest = bound.filter((b) => b.node !== n.name || (b.priority ?? 0) >= 50);
            expect(oracleFits(nodes, rest, replica, n.name)).toBe(false);
          }
          return;
        }
        expect(fitsNow).toBe(false);
        const victims = new Set(plan.victims.map((v) => v.uid));
        expect(plan.victims.every((v) => v.priority < 50)).toBe(true);
        expect(bound.filter((b) => victims.has(b.uid)).every((b) => b.node === plan.node)).toBe(true);
        expect(oracleFits(nodes, bound.filter((b) => !victims.has(b.uid)), replica, plan.node)).toBe(true);
        // The victims' highest priority is the lowest level any node could make do with (fit is monotone here).
        const levels = [0, 10, 20];
        const bestLevel = Math.min(
          ...nodes.map((n) => {
            const level = levels.find((l) =>
              oracleFits(nodes, bound.filter((b) => b.node !== n.name || (b.priority ?? 0) > l), replica, n.name),
            );
            return level ?? Infinity;
          }),
        );
        expect(Math.max(...plan.victims.map((v) => v.priority))).toBe(bestLevel);
      }),
      { numRuns: 300 },
    );
  });
});
