import { InvalidReplica, InvalidSnapshot, Unschedulable } from './errors';
import { PlacementEngine, numFeasibleNodesToFind } from './placement-engine';
import { scheduleBatch, scheduleOne } from './scheduler';
import { GI, bound, node, replica } from './testing/builders';
import { BatchProgress, ClusterNode } from './types';

describe('scheduleOne', () => {
  it('formats the kube message for a mixed failure', () => {
    const nodes: ClusterNode[] = [
      node('m1', { allocatable: { cpuMilli: 4000, memoryBytes: GI } }),
      node('m2', { allocatable: { cpuMilli: 4000, memoryBytes: GI } }),
      node('m3', { allocatable: { cpuMilli: 4000, memoryBytes: GI } }),
      node('t1', { taints: [{ key: 'key', value: 'value', effect: 'NoSchedule' }] }),
      node('t2', { taints: [{ key: 'key', value: 'value', effect: 'NoSchedule' }] }),
    ];
    const result = scheduleOne({ nodes }, replica('r', { requests: { cpuMilli: 100, memoryBytes: 2 * GI } }));
    expect(result).toBeInstanceOf(Unschedulable);
    expect(result.kind === 'Unschedulable' && result.message).toBe(
      '0/5 nodes are available: 3 Insufficient memory, 2 node(s) had untolerated taint {key: value}.',
    );
    expect(result.kind === 'Unschedulable' && result.filterFailures).toEqual({ NodeResourcesFit: 3, TaintToleration: 2 });
  });

  it('says so when the cluster has no nodes', () => {
    const result = scheduleOne({ nodes: [] }, replica('r'));
    expect(result.kind === 'Unschedulable' && result.message).toBe('no nodes available to schedule pods');
  });

  it('does not change the snapshot it is given', () => {
    const snapshot = { nodes: [node('a')], replicas: [bound('x', 'a')] };
    const before = JSON.stringify(snapshot);
    scheduleOne(snapshot, replica('r'));
    scheduleBatch(snapshot, [replica('r1'), replica('r2')]);
    expect(JSON.stringify(snapshot)).toBe(before);
  });

  it('gives the same answer for the same input, and the seed only moves ties', () => {
    const nodes = Array.from({ length: 50 }, (_, i) => node(`n${i}`));
    const r = replica('r');
    const first = scheduleOne({ nodes }, r);
    for (let i = 0; i < 5; i++) expect(scheduleOne({ nodes }, r)).toEqual(first);
    const bySeed = new Set(Array.from({ length: 20 }, (_, seed) => scheduleOne({ nodes, options: { seed } }, r)).map((p) => p.kind === 'Scheduled' && p.node));
    expect(bySeed.size).toBeGreaterThan(1);
  });

  it('rejects bad input with named errors', () => {
    expect(() => scheduleOne({ nodes: [node('a'), node('a')] }, replica('r'))).toThrow(InvalidSnapshot);
    expect(() => scheduleOne({ nodes: [node('a')], replicas: [bound('x', 'ghost')] }, replica('r'))).toThrow(/unknown node ghost/);
    expect(() => scheduleOne({ nodes: [node('a')] }, replica('r', { requests: { cpuMilli: -1, memoryBytes: 0 } }))).toThrow(InvalidReplica);
    expect(() => scheduleOne({ nodes: [node('a', { allocatable: { cpuMilli: NaN, memoryBytes: 1 } })] }, replica('r'))).toThrow(InvalidSnapshot);
  });
});

describe('scheduleBatch', () => {
  it('sees its own earlier placements', () => {
    const nodes = [node('a', { allocatable: { cpuMilli: 1000, memoryBytes: 8 * GI } }), node('b', { allocatable: { cpuMilli: 1000, memoryBytes: 8 * GI } })];
    const replicas = [1, 2, 3].map((i) => replica(`r${i}`, { requests: { cpuMilli: 600, memoryBytes: GI } }));
    const result = scheduleBatch({ nodes }, replicas);
    expect(result.placements.map((p) => p.node).sort()).toEqual(['a', 'b']);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0].replica).toBe('r3');
    expect(result.failures[0].message).toBe('0/2 nodes are available: 2 Insufficient cpu.');
  });

  it('places higher priority first, keeping input order within a priority', () => {
    const nodes = [node('a', { allocatable: { cpuMilli: 1000, memoryBytes: 8 * GI } })];
    const replicas = [
      replica('low', { requests: { cpuMilli: 600, memoryBytes: 0 } }),
      replica('high', { priority: 100, requests: { cpuMilli: 600, memoryBytes: 0 } }),
      replica('low2', { requests: { cpuMilli: 100, memoryBytes: 0 } }),
    ];
    const result = scheduleBatch({ nodes }, replicas);
    expect(result.results.map((r) => r.replica)).toEqual(['high', 'low', 'low2']);
    expect(result.placements.map((p) => p.replica)).toEqual(['high', 'low2']);
  });

  it('keeps one replica per node under required anti-affinity across a batch', () => {
    const nodes = Array.from({ length: 4 }, (_, i) => node(`n${i}`));
    const anti = {
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } },
    };
    const result = scheduleBatch({ nodes }, Array.from({ length: 6 }, (_, i) => replica(`r${i}`, anti)));
    expect(new Set(result.placements.map((p) => p.node)).size).toBe(4);
    expect(result.failures.map((f) => f.message)).toEqual([
      "0/4 nodes are available: 4 node(s) didn't match pod anti-affinity rules.",
      "0/4 nodes are available: 4 node(s) didn't match pod anti-affinity rules.",
    ]);
  });

  it('reports progress', () => {
    const seen: BatchProgress[] = [];
    scheduleBatch({ nodes: [node('a')] }, [1, 2, 3, 4, 5].map((i) => replica(`r${i}`)), { progressEvery: 2, onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => p.done)).toEqual([2, 4, 5]);
    expect(seen[2]).toEqual({ done: 5, total: 5, placed: 5, unschedulable: 0 });
  });

  it('scores only a sample on big clusters yet spreads the load around (rotating start)', () => {
    const nodes = Array.from({ length: 400 }, (_, i) => node(`n${String(i).padStart(3, '0')}`));
    const replicas = Array.from({ length: 400 }, (_, i) => replica(`r${i}`, { deployment: `d${i}`, labels: { app: `d${i}` } }));
    const result = scheduleBatch({ nodes, options: { percentageOfNodesToScore: 10 } }, replicas);
    expect(result.placements).toHaveLength(400);
    // With equal nodes and LeastAllocated, a rotating window of 100 nodes keeps every node in play.
    expect(new Set(result.placements.map((p) => p.node)).size).toBeGreaterThan(300);
  });
});

describe('numFeasibleNodesToFind', () => {
  it('follows kube-scheduler: all below 100 nodes, adaptive percentage above, never under 100', () => {
    expect(numFeasibleNodesToFind(50)).toBe(50);
    expect(numFeasibleNodesToFind(1000)).toBe(420);
    expect(numFeasibleNodesToFind(5000)).toBe(500);
    expect(numFeasibleNodesToFind(50000)).toBe(2500);
    expect(numFeasibleNodesToFind(5000, 5)).toBe(250);
    expect(numFeasibleNodesToFind(500, 1)).toBe(100);
    expect(numFeasibleNodesToFind(5000, 100)).toBe(5000);
  });
});

describe('PlacementEngine', () => {
  it('binds, tracks usage and frees it on unbind', () => {
    const engine = new PlacementEngine({ nodes: [node('a')] });
    const placed = engine.place(replica('r', { requests: { cpuMilli: 300, memoryBytes: GI } }));
    expect(placed.kind).toBe('Scheduled');
    expect(engine.nodeUsage('a')).toEqual({ cpuMilli: 300, memoryBytes: GI, pods: 1 });
    expect(engine.boundReplicas('a')).toEqual(['r']);
    expect(engine.unbind('r')).toBe(true);
    expect(engine.unbind('r')).toBe(false);
    expect(engine.nodeUsage('a')).toEqual({ cpuMilli: 0, memoryBytes: 0, pods: 0 });
    engine.bind(replica('x', { hostPorts: [80] }), 'a');
    expect(engine.explain(replica('y', { hostPorts: [80] }), 'a')).toBe("node(s) didn't have free ports for the requested pod ports");
    expect(() => engine.bind(replica('x'), 'a')).toThrow(InvalidSnapshot);
  });
});
