import { PlacementEngine } from './placement-engine';
import { findPreemption } from './scheduler';
import { GI, bound, node, replica } from './testing/builders';
import { BoundReplica, ClusterNode, PreemptionResult } from './types';

const small = (name: string, overrides: Partial<ClusterNode> = {}) => node(name, { allocatable: { cpuMilli: 1000, memoryBytes: 4 * GI }, ...overrides });
const cpu = (cpuMilli: number) => ({ requests: { cpuMilli, memoryBytes: 0 } });
const victim = (uid: string, nodeName: string, cpuMilli: number, priority: number): BoundReplica =>
  bound(uid, nodeName, { ...cpu(cpuMilli), priority, deployment: `d-${uid}`, labels: { app: uid } });

function plan(result: PreemptionResult): { node: string; victims: string[] } {
  if (result.kind !== 'Preempt') throw new Error(`expected a plan, got: ${result.reason}`);
  return { node: result.node, victims: result.victims.map((v) => v.uid) };
}

describe('findPreemption', () => {
  const preemptor = replica('vip', { ...cpu(800), priority: 100 });

  it('prefers evicting lower priorities over fewer victims', () => {
    const nodes = [small('a'), small('b')];
    const replicas = [victim('mid', 'a', 900, 50), victim('low1', 'b', 450, 1), victim('low2', 'b', 450, 1)];
    expect(plan(findPreemption({ nodes, replicas }, preemptor))).toEqual({ node: 'b', victims: ['low1', 'low2'] });
  });

  it('picks the fewest victims among equal priorities, on the node and across nodes', () => {
    const nodes = [small('a'), small('b')];
    const replicas = [
      victim('a1', 'a', 300, 0),
      victim('a2', 'a', 300, 0),
      victim('a3', 'a', 300, 0),
      victim('b-small1', 'b', 100, 0),
      victim('b-small2', 'b', 100, 0),
      victim('b-big', 'b', 700, 0),
    ];
    // b: evicting only the big one frees 700 + 100 free = 800.
    expect(plan(findPreemption({ nodes, replicas }, preemptor))).toEqual({ node: 'b', victims: ['b-big'] });
  });

  it('never evicts equal or higher priority replicas', () => {
    const nodes = [small('a')];
    const replicas = [victim('peer', 'a', 900, 100), victim('boss', 'a', 50, 1000)];
    const result = findPreemption({ nodes, replicas }, preemptor);
    expect(result.kind).toBe('NoPreemption');
  });

  it('ignores nodes that fail unresolvable filters (taints, selector, cordon)', () => {
    const nodes = [
      small('tainted', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] }),
      small('cordoned', { unschedulable: true }),
      small('ok'),
    ];
    const replicas = [victim('t', 'tainted', 900, 0), victim('c', 'cordoned', 900, 0), victim('o1', 'ok', 700, 5), victim('o2', 'ok', 200, 5)];
    expect(plan(findPreemption({ nodes, replicas }, preemptor))).toEqual({ node: 'ok', victims: ['o1'] });
  });

  it('resolves anti-affinity and port conflicts by evicting the conflicting replica', () => {
    const nodes = [small('a')];
    const replicas = [victim('holder', 'a', 10, 0), bound('port', 'a', { ...cpu(10), priority: 0, hostPorts: [443], deployment: 'p', labels: {} })];
    const r = replica('vip', {
      ...cpu(100),
      priority: 100,
      hostPorts: [443],
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'holder' } }, topologyKey: 'kubernetes.io/hostname' }],
        },
      },
    });
    expect(plan(findPreemption({ nodes, replicas }, r))).toEqual({ node: 'a', victims: ['holder', 'port'] });
  });

  it('says so when the replica already fits, or nothing can make it fit', () => {
    expect(findPreemption({ nodes: [small('a')] }, preemptor)).toEqual({ kind: 'NoPreemption', replica: 'vip', reason: 'replica fits without preemption' });
    const tooBig = replica('huge', { ...cpu(5000), priority: 100 });
    expect(findPreemption({ nodes: [small('a')], replicas: [victim('x', 'a', 900, 0)] }, tooBig).kind).toBe('NoPreemption');
  });

  it('uses greedy reprieve above the exhaustive limit and still frees enough', () => {
    const nodes = [node('a', { allocatable: { cpuMilli: 2000, memoryBytes: 4 * GI } })];
    const replicas = Array.from({ length: 14 }, (_, i) => victim(`v${String(i).padStart(2, '0')}`, 'a', i === 13 ? 700 : 100, i % 2));
    const result = plan(findPreemption({ nodes, replicas }, replica('vip', { ...cpu(800), priority: 100 })));
    expect(result.node).toBe('a');
    // All seven priority-0 replicas free only 700m, so a priority-1 victim is unavoidable: the 700m one plus one 100m.
    expect(result.victims).toHaveLength(2);
    expect(result.victims).toContain('v13');
    const engine = new PlacementEngine({ nodes, replicas: replicas.filter((r) => !result.victims.includes(r.uid)) });
    expect(engine.schedule(replica('vip', { ...cpu(800), priority: 100 })).kind).toBe('Scheduled');
  });

  it('leaves the engine state as it found it', () => {
    const nodes = [small('a')];
    const replicas = [victim('x', 'a', 600, 0), victim('y', 'a', 300, 0)];
    const engine = new PlacementEngine({ nodes, replicas });
    const before = engine.nodeUsage('a');
    expect(engine.findPreemption(preemptor).kind).toBe('Preempt');
    expect(engine.nodeUsage('a')).toEqual(before);
    expect(engine.boundReplicas('a')).toEqual(['x', 'y']);
  });
});
