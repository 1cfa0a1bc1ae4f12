import { scheduleBatch, scheduleOne } from './scheduler';
import { balancedAllocationScore, resourceFitScore } from './score';
import { GI, bound, node, replica } from './testing/builders';
import { ClusterSnapshot, ReplicaSpec } from './types';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';

function placedOn(snapshot: ClusterSnapshot, r: ReplicaSpec): string {
  const result = scheduleOne(snapshot, r);
  if (result.kind !== 'Scheduled') throw new Error(result.message);
  return result.node;
}

describe('score functions', () => {
  it('LeastAllocated favours free capacity, MostAllocated used capacity', () => {
    expect(resourceFitScore(1000, 250, false)).toBe(75);
    expect(resourceFitScore(1000, 250, true)).toBe(25);
    expect(resourceFitScore(0, 0, false)).toBe(0);
    expect(resourceFitScore(1000, 1500, false)).toBe(0);
    expect(resourceFitScore(1000, 1500, true)).toBe(100);
  });

  it('BalancedAllocation is 100 for equal shares and drops with the gap', () => {
    expect(balancedAllocationScore(0.5, 0.5)).toBe(100);
    expect(balancedAllocationScore(0.8, 0.2)).toBe(70);
    expect(balancedAllocationScore(2, 0)).toBe(50);
  });
});

describe('scoring', () => {
  const nodes = [node('busy'), node('idle')];
  const replicas = [bound('x', 'busy', { deployment: 'other', labels: { app: 'other' }, requests: { cpuMilli: 2000, memoryBytes: 4 * GI } })];

  it('LeastAllocated (default) spreads onto the emptier node', () => {
    expect(placedOn({ nodes, replicas }, replica('r'))).toBe('idle');
  });

  it('MostAllocated bin-packs, per replica or cluster-wide', () => {
    expect(placedOn({ nodes, replicas }, replica('r', { scoringStrategy: 'MostAllocated' }))).toBe('busy');
    expect(placedOn({ nodes, replicas, options: { scoringStrategy: 'MostAllocated' } }, replica('r'))).toBe('busy');
    expect(placedOn({ nodes, replicas, options: { scoringStrategy: 'MostAllocated' } }, replica('r', { scoringStrategy: 'LeastAllocated' }))).toBe('idle');
  });

  it('BalancedAllocation prefers the node where the replica evens out cpu and memory', () => {
    const two = [node('cpu-heavy'), node('mem-heavy')];
    const used = [
      bound('c', 'cpu-heavy', { deployment: 'o1', labels: {}, requests: { cpuMilli: 2000, memoryBytes: GI } }),
      bound('m', 'mem-heavy', { deployment: 'o2', labels: {}, requests: { cpuMilli: 500, memoryBytes: 4 * GI } }),
    ];
    // Memory-hungry replica: both nodes end at the same LeastAllocated score, balance decides.
    const r = replica('r', { requests: { cpuMilli: 0, memoryBytes: 3 * GI } });
    const s = scheduleOne({ nodes: two, replicas: used, options: { weights: { resourceFit: 0 } } }, r);
    expect(s.kind === 'Scheduled' && s.node).toBe('cpu-heavy');
  });

  it('preferred node affinity outweighs a small resource difference', () => {
    const labelled = [node('plain'), node('ssd', { labels: { disk: 'ssd' } })];
    const used = [bound('x', 'ssd', { deployment: 'o', labels: {}, requests: { cpuMilli: 1000, memoryBytes: GI } })];
    const r = replica('r', {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 80, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }],
        },
      },
    });
    expect(placedOn({ nodes: labelled, replicas: used }, r)).toBe('ssd');
  });

  it('PreferNoSchedule taints are avoided when another node is as good', () => {
    const tainted = [node('a', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] }), node('b')];
    expect(placedOn({ nodes: tainted }, replica('r'))).toBe('b');
    expect(placedOn({ nodes: [tainted[0]] }, replica('r'))).toBe('a');
  });

  it('preferred anti-affinity steers away from matching replicas', () => {
    const three = [node('a'), node('b')];
    const used = [bound('x', 'a', { deployment: 'cache', labels: { app: 'cache' }, requests: { cpuMilli: 0, memoryBytes: 0 } })];
    const r = replica('r', {
      scoringStrategy: 'MostAllocated',
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: HOST } }],
        },
      },
    });
    // Zero-request neighbour: resources tie, the preference decides.
    expect(placedOn({ nodes: three, replicas: used }, r)).toBe('b');
  });

  it("spreads a deployment's replicas across nodes and zones by default", () => {
    const zoned = [
      node('a1', { labels: { [ZONE]: 'a' } }),
      node('a2', { labels: { [ZONE]: 'a' } }),
      node('b1', { labels: { [ZONE]: 'b' } }),
      node('b2', { labels: { [ZONE]: 'b' } }),
    ];
    const result = scheduleBatch({ nodes: zoned }, [1, 2, 3, 4].map((i) => replica(`r${i}`, { requests: { cpuMilli: 0, memoryBytes: 0 } })));
    expect(new Set(result.placements.map((p) => p.node)).size).toBe(4);
  });

  it('does not favour a node that lacks a spreading topology label', () => {
    const mixed = [node('unzoned'), node('zoned', { labels: { [ZONE]: 'a' } })];
    expect(placedOn({ nodes: mixed }, replica('r'))).toBe('zoned');
  });

  it('ScheduleAnyway spread constraints steer but never block', () => {
    const zoned = [node('a1', { labels: { [ZONE]: 'a' } }), node('b1', { labels: { [ZONE]: 'b' } })];
    const spread = {
      scoringStrategy: 'MostAllocated' as const,
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'ScheduleAnyway' as const, labelSelector: { matchLabels: { app: 'web' } } }],
    };
    const used = [bound('x', 'a1', { ...spread, requests: { cpuMilli: 0, memoryBytes: 0 } })];
    expect(placedOn({ nodes: zoned, replicas: used }, replica('r', { ...spread, requests: { cpuMilli: 0, memoryBytes: 0 } }))).toBe('b1');
    expect(placedOn({ nodes: [zoned[0]], replicas: used }, replica('r', spread))).toBe('a1');
  });

  it('reports the weighted score of the chosen node', () => {
    const result = scheduleOne({ nodes: [node('a')] }, replica('r', { requests: { cpuMilli: 1000, memoryBytes: 2 * GI } }));
    // fit 75*1 + balanced 100*1 + taint 100*3 + spread 100*2 (only node, no counts)
    expect(result.kind === 'Scheduled' && result.score).toBe(75 + 100 + 300 + 200);
  });
});
